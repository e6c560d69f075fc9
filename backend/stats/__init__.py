"""Statistics for supervisors (统计): figures read from roll-ups an arq cron keeps current."""
