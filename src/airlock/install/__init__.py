"""`airlock ci` and `airlock install`: nothing reaches node_modules unchecked; install scripts run sandboxed."""
