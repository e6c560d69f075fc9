"""The statistics dashboard (数据看板): figures, charts, tables and their exports."""
