/**
 * Environment for tests that run the real `nx` CLI: no daemon or cache left behind between tests,
 * no cloud, and no colours (CI=true makes Nx colour its output, and tests read it as text).
 */
export const NX_TEST_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true', FORCE_COLOR: '0', NO_COLOR: '1' };
