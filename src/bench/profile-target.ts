import pino from 'pino';
import { loadSettings } from '../config/settings.js';
import { startGateway } from '../gateway.js';

// The gateway the intake profile (profile-intake.ts) samples: started with `node --cpu-prof`,
// delivery off (only intake is profiled), on SQLite in the data directory it is given. It prints
// its URL and the demo vendor keys as one JSON line, and exits cleanly on SIGTERM so that V8
// writes the profile of every thread.

const dir = process.argv[2]!;
const settings = loadSettings({}, { host: '127.0.0.1', port: 0, dataDir: dir, databaseUrl: `${dir}/gateway.db`, logLevel: 'warn', simulator: { port: 0 } });
const gw = await startGateway(settings, { deliver: false, logger: pino({ level: 'warn' }) });
process.stdout.write(JSON.stringify({ url: gw.url, keys: gw.demoCredentials!.vendors }) + '\n');
process.once('SIGTERM', () => {
  gw.close().then(() => process.exit(0), () => process.exit(1));
});
