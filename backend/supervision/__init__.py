"""Supervision (区跑改办): overdue cases and their escalation, bad-rating follow-ups, the weekly
call-back sample, agents' workload and the audit-log viewer."""
