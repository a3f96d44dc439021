"""A creator's relation to each tenant they work with (influencer or employee)."""
