// `npm run check` compiles the catalogues before svelte-check reads the typed messages; it refuses
// catalogues that disagree, as the build does.
import { compile } from '@inlang/paraglide-js';

import { catalogueProblems } from './catalogues.js';
import { compilerOptions } from './i18n.config.js';

const problems = catalogueProblems();
if (problems.length > 0) {
  console.error(`The message catalogues disagree:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
await compile(compilerOptions);
