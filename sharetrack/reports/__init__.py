"""Reports: what every channel, promoter and day raised, read with set-based SQL."""
