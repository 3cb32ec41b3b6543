// The agent's version, reported in every heartbeat (kept equal to package.json's by a test).
export const AGENT_VERSION = '0.1.0';

/** The oldest Node.js the bundle runs on (it is built for node18). */
export const MIN_NODE_MAJOR = 18;
