"""`airlock diff`: what an update changes, per package and across a lockfile."""
