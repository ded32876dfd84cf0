// What npm's own tar parser (node-tar, as bundled with npm) reads from each archive: entries only, via
// tar.Parser -- nothing is extracted or written. Input on stdin: archives, each prefixed by its length
// (uint32 big-endian). Output on stdout: one JSON array, per archive {entries, warnings, error}.
'use strict'
const fs = require('fs')
const tar = require(process.argv[2])

const input = fs.readFileSync(0)
const archives = []
for (let off = 0; off < input.length;) {
  const n = input.readUInt32BE(off)
  archives.push(input.subarray(off + 4, off + 4 + n))
  off += 4 + n
}

const list = (buf) => new Promise((resolve) => {
  const result = { entries: [], warnings: [], error: null }
  const parser = new tar.Parser({
    strict: false,
    onwarn: (code, message) => result.warnings.push(`${code}: ${message && message.message || message}`),
  })
  parser.on('entry', (entry) => {
    const chunks = []
    const record = { type: entry.type, path: String(entry.path), linkpath: entry.linkpath || null }
    entry.on('data', (chunk) => chunks.push(chunk))
    entry.on('end', () => {
      record.data = Buffer.concat(chunks).toString('hex')
      result.entries.push(record)
    })
  })
  parser.on('abort', (error) => { result.error = String(error && error.message || error) })
  parser.on('error', (error) => { result.error = String(error && error.message || error) })
  parser.on('end', () => resolve(result))
  parser.on('close', () => resolve(result))
  try {
    parser.end(buf)
  } catch (error) {
    result.error = String(error && error.message || error)
    resolve(result)
  }
})

;(async () => {
  const results = []
  for (const archive of archives) results.push(await list(archive))
  process.stdout.write(JSON.stringify(results))
})()
