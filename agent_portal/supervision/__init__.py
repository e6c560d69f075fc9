"""The supervisors' desk (督办): overdue cases, follow-ups, call-backs, workload, audit log."""
