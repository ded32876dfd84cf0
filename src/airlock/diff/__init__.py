"""`airlock diff`: what an update changes, ranked by how much it needs a human."""
