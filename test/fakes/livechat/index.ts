/**
 * The LiveChat simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { LiveChatSimulator } from './simulator';
export { parseMultipartFile } from './common';
export type {
	LiveChatSimulatorOptions,
	LiveChatAgent,
	LiveChatBot,
	LiveChatGroup,
	LiveChatCustomer,
	LiveChatEvent,
	LiveChatWebhook,
	LiveChatApiCall,
	LiveChatDeliveryAttempt,
} from './common';
