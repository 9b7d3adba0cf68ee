"""What a collector reads: their Excel statement, `explain`, and the plan in words."""
