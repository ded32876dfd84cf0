"""Installing a checked tree: which lifecycle scripts may run (`permissions`), the environment they get
(`lifecycle`), the installed packages and their order (`installed`), and running them in a sandbox
(`scripts`)."""
