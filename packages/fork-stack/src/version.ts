/** The CLI's version (kept in step with package.json by a test) and the variables-contract version. */
export const VERSION = '0.1.0';
export const CONTRACT_VERSION = '1';
