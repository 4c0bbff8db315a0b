// Exits 0 when tap's test library is built with the plugins package.json asks for, 1 when not.
// tap rebuilds it itself when they differ, but only after its runner has read the old build's
// module hooks, which it then still passes to every test process of that run: on a fresh clone
// the first `npm test` ran with @tapjs/mock's import hook in front of every module loaded (the
// suite took 904 s instead of 549 s on 2 cores). `npm test` runs `tap build` first when this fails.
import { TapConfig } from '@tapjs/config';
import { signature } from '@tapjs/test';

const config = await TapConfig.load();
process.exit(config.pluginSignature === signature ? 0 : 1);
