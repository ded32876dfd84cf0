"""`airlock ci` (and `airlock install` on top of it): check first, install the verified bytes with npm into
a staging directory, run the allowed install scripts sandboxed, swap the staged node_modules into place."""
