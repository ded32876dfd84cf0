"""`airlock ci` (and `airlock install` on top of it): check first, install the verified bytes with npm into
a staging directory (`ci`, `view`, `npm`, `staging`), run the allowed lifecycle scripts in a sandbox —
which may run (`permissions`), the environment they get (`environment`), the installed packages and their
order (`installed`), running them (`scripts`) — then swap the staged node_modules into place."""
