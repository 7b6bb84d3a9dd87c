/**
 * The Landbot simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { LandbotSimulator } from './simulator';
export type {
	LandbotChannelType,
	LandbotFieldType,
	LandbotSenderType,
	LandbotAuthorType,
	LandbotSimulatorOptions,
	LandbotAgent,
	LandbotChannel,
	LandbotHook,
	LandbotField,
	LandbotMessage,
	LandbotConversationEvent,
	LandbotCustomerState,
	LandbotApiCall,
	LandbotDeliveryAttempt,
	CreateCustomerInput,
	CustomerSaysInput,
	BotSaysInput,
	WebhookBlockInput,
	WebhookBlockCall,
} from './common';
