/** The agent's version, as reported in births and state (kept equal to package.json by a test). */
export const AGENT_VERSION = '0.1.0';
