export { main } from './cli/main.js';
export { parseCli } from './cli/parse.js';
