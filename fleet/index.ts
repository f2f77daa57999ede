/** What other programs (the demo, later dashboards) use of the fleet. */
export { main, run } from './cli.js';
export { startFleet, type FleetServer, type ServeOptions } from './serve.js';
export { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
export {
  readFleetRows,
  readFleetStatus,
  renderFleetStatus,
  renderFleetTable,
  type FleetRow,
  type FleetStatus,
  type FleetTotals,
} from './view.js';
export { createLogger } from './log.js';
