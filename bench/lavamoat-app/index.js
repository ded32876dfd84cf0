// Requires every dependency, each on its own, and prints one JSON line: {loaded: [...], failed: {name: message}}.
// The require calls are literal so that LavaMoat's --autopolicy (static, from this entry) sees every one.
'use strict'
const loaded = []
const failed = {}
function attempt (name, load) {
  try {
    load()
    loaded.push(name)
  } catch (error) {
    failed[name] = String((error && error.message) || error).split('\n')[0]
  }
}

attempt('ajv', () => require('ajv'))
attempt('async', () => require('async'))
attempt('axios', () => require('axios'))
attempt('bcryptjs', () => require('bcryptjs'))
attempt('body-parser', () => require('body-parser'))
attempt('chalk', () => require('chalk'))
attempt('commander', () => require('commander'))
attempt('compression', () => require('compression'))
attempt('cookie-parser', () => require('cookie-parser'))
attempt('cors', () => require('cors'))
attempt('dayjs', () => require('dayjs'))
attempt('debug', () => require('debug'))
attempt('dotenv', () => require('dotenv'))
attempt('express', () => require('express'))
attempt('express-rate-limit', () => require('express-rate-limit'))
attempt('express-session', () => require('express-session'))
attempt('helmet', () => require('helmet'))
attempt('http-errors', () => require('http-errors'))
attempt('ioredis', () => require('ioredis'))
attempt('joi', () => require('joi'))
attempt('jsonwebtoken', () => require('jsonwebtoken'))
attempt('knex', () => require('knex'))
attempt('lodash', () => require('lodash'))
attempt('mime-types', () => require('mime-types'))
attempt('moment', () => require('moment'))
attempt('mongoose', () => require('mongoose'))
attempt('morgan', () => require('morgan'))
attempt('multer', () => require('multer'))
attempt('nanoid', () => require('nanoid'))
attempt('node-fetch', () => require('node-fetch'))
attempt('nodemailer', () => require('nodemailer'))
attempt('passport', () => require('passport'))
attempt('passport-jwt', () => require('passport-jwt'))
attempt('pg', () => require('pg'))
attempt('pino', () => require('pino'))
attempt('qs', () => require('qs'))
attempt('redis', () => require('redis'))
attempt('semver', () => require('semver'))
attempt('socket.io', () => require('socket.io'))
attempt('uuid', () => require('uuid'))
attempt('validator', () => require('validator'))
attempt('winston', () => require('winston'))
attempt('ws', () => require('ws'))
attempt('yargs', () => require('yargs'))
attempt('zod', () => require('zod'))

process.stdout.write(JSON.stringify({ loaded, failed }) + '\n')
// Some dependencies keep handles open (timers, workers); the run is over once the line is out.
process.exit(0)
