export { OpenAiSimulator, textOf } from './simulator';
export type { ChatMessage, ChatRole, CompletionRequest, OpenAiSimulatorOptions, RecordedCompletion, Script, ToolCall, ToolDefinition, Turn } from './simulator';
export { AFTER_HANDOFF, WANTS_HUMAN, handoffScript, latestCustomerText } from './scripts';
export type { HandoffScriptOptions } from './scripts';
