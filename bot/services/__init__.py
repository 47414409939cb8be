"""One service per area: the use cases the CLI, the cogs and the scheduled jobs all call."""
