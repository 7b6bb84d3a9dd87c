/**
 * The Tiledesk simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { TiledeskSimulator } from './simulator';
export { REQUEST_STATUS, MESSAGE_STATUS } from './common';
export type {
	TiledeskRole,
	TiledeskSimulatorOptions,
	TiledeskUser,
	TiledeskProject,
	TiledeskProjectUser,
	TiledeskDepartment,
	TiledeskBot,
	TiledeskMessage,
	TiledeskApiCall,
	TiledeskDeliveryAttempt,
} from './common';
