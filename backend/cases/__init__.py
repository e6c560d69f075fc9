"""Cases (办件): applications, their state machine, timeline and statutory clock."""
