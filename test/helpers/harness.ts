/**
 * Runs a node's methods inside n8n-core's real execution contexts (ExecuteContext, HookContext,
 * WebhookContext, LoadOptionsContext, TriggerContext), on a real n8n-workflow `Workflow`, so that unit tests see
 * what n8n does: parameter defaults filled from the description, expressions resolved,
 * `httpRequestWithAuthentication` making real HTTP (intercept it with nock or a local server), and
 * credential `authenticate` / `preAuthentication` applied the way n8n's CLI CredentialsHelper does.
 */
import { Container } from '@n8n/di';
import {
	ExecuteContext,
	HookContext,
	InstanceSettings,
	LoadOptionsContext,
	RoutingNode,
	TriggerContext,
	WebhookContext,
} from 'n8n-core';
import {
	createRunExecutionData,
	deepCopy,
	ICredentials,
	ICredentialsHelper,
	isExpression,
	NodeHelpers,
	Workflow,
} from 'n8n-workflow';
import type {
	CloseFunction,
	ICredentialDataDecryptedObject,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeListSearchResult,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	ITriggerFunctions,
	IVersionedNodeType,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WebhookType,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export interface HarnessOptions {
	credentialTypes: ICredentialType[];
}

export interface RunOptions {
	/** As a user sets them; the Workflow fills in the description's defaults. */
	parameters: INodeParameters;
	/** Keyed by credential type name. Copied per run; tokens from preAuthentication land in the copy. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Default [{ json: {} }]. */
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** The node's static data ('node' scope); mutated in place. */
	staticData?: IDataObject;
	/** What getNodeWebhookUrl('default') returns. */
	webhookUrl?: string;
	typeVersion?: number;
	/** What getExecutionId() answers (default 'harness-execution'): runs with different ids are different executions. */
	executionId?: string;
}

export interface WebhookRequest {
	headers?: Record<string, string>;
	body?: unknown;
	rawBody?: Buffer;
	query?: Record<string, string>;
	method?: string;
	path?: string;
}

export interface RecordedHttp {
	statusCode: number | undefined;
	body: unknown;
	ended: boolean;
	headers: Record<string, string>;
}

const PACKAGE = 'n8n-nodes-handoff';
const BASE = 'http://localhost:5678';
export const DEFAULT_WEBHOOK_URL = `${BASE}/webhook/test-hook`;

/** n8n-core contexts read InstanceSettings from the DI container; the real one writes ~/.n8n/config. */
function registerServices() {
	if (Container.has(InstanceSettings)) return;
	Container.set(InstanceSettings, {
		instanceId: 'harness-instance',
		hmacSignatureSecret: 'harness-hmac-secret',
		encryptionKey: 'harness-encryption-key',
		instanceType: 'main',
		n8nFolder: '/nonexistent/.n8n',
	} as unknown as InstanceSettings);
}

/** Stores the test's credential data in memory; stands in for the database-backed ICredentials. */
class MemoryCredentials extends ICredentials {
	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super(details, type);
	}

	async getData() {
		return deepCopy(this.store[this.type] ?? {});
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.store[this.type]) };
	}

	async setData(data: ICredentialDataDecryptedObject) {
		this.store[this.type] = deepCopy(data);
	}

	async updateData(toUpdate: Partial<ICredentialDataDecryptedObject>, toDelete: string[] = []) {
		const data = { ...this.store[this.type], ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete data[key];
		this.store[this.type] = data;
	}
}

/** A node type that only exists so credential expressions can be resolved outside any node. */
const bareNodeTypes: INodeTypes = {
	getByName: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getByNameAndVersion: () => ({ description: { properties: [] } }) as unknown as INodeType,
	getKnownTypes: () => ({}),
};
const bareNode: INode = {
	id: 'bare',
	name: '',
	type: 'bare',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const bareWorkflow = () =>
	new Workflow({ nodes: [bareNode], connections: {}, active: false, nodeTypes: bareNodeTypes });

/**
 * Behaves like n8n's CLI CredentialsHelper, with the database replaced by `store`
 * (credential type name → decrypted data).
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly types: Map<string, ICredentialType>,
		readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Credential type "${name}" was not given to createHarness()`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return parents.flatMap((parent) => [parent, ...(this.types.has(parent) ? this.getParentTypes(parent) : [])]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(name: string): INodeProperties[] {
		const type = this.type(name);
		if (!type.extends) return type.properties;
		const merged: INodeProperties[] = [];
		for (const parent of type.extends) {
			NodeHelpers.mergeNodeProperties(merged, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(merged, type.properties);
		return merged;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			// Each value is an n8n expression over $credentials, resolved by the workflow's engine.
			const resolve = (value: string) => {
				if (!isExpression(value)) return value;
				const resolved = (workflow ?? bareWorkflow()).expression.getSimpleParameterValue(
					node ?? bareNode,
					value,
					'internal',
					{ $credentials: credentials },
					undefined,
					'',
				);
				return resolved ? String(resolved) : '';
			};
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [where, entries] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					target[where] ??= {};
					target[where][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	/** n8n calls this before every authenticated request; it logs in when the expirable field is empty. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = this.getCredentialsProperties(typeName).find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		// n8n's credential test runs on a temporary noOp node with a `temp` parameter; it always logs in.
		const isTestingCredentials = node.parameters?.temp === '' && node.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;

		const output = (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
		if (output?.[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[typeName];
		if (!nodeCredentials) return undefined;
		// Persist like n8n's updateCredentials, but never overwrite a stored expression with its value.
		const stored = await (await this.getCredentials(nodeCredentials, typeName)).getData();
		const toPersist = { ...stored };
		for (const [key, value] of Object.entries(output)) {
			if (key === expirable.name || !isExpression(stored[key])) toPersist[key] = value;
		}
		await this.updateCredentials(nodeCredentials, typeName, toPersist);
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.type(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		return (await preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new MemoryCredentials(nodeCredentials, type, this.store);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		if (this.store[type] === undefined) {
			throw new Error(`No credentials of type "${type}" were given to this harness run`);
		}
		const stored = await (await this.getCredentials(nodeCredentials, type)).getData();
		if (raw) return stored;
		return this.applyDefaults(stored, type, mode, executeData, expressionResolveValues);
	}

	/** As n8n's applyDefaultsAndOverwrites: fill property defaults, then resolve expressions. */
	applyDefaults(
		data: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode = 'internal',
		executeData?: IExecuteData,
		resolveValues?: ICredentialsExpressionResolveValues,
	): ICredentialDataDecryptedObject {
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			data as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (resolveValues) {
			return resolveValues.workflow.expression.getParameterValue(
				withDefaults as INodeParameters,
				resolveValues.runExecutionData,
				resolveValues.runIndex,
				resolveValues.itemIndex,
				resolveValues.node.name,
				resolveValues.connectionInputData,
				mode,
				{},
				executeData,
				false,
				withDefaults,
			) as ICredentialDataDecryptedObject;
		}
		return bareWorkflow().expression.getComplexParameterValue(
			bareNode,
			withDefaults as INodeParameters,
			mode,
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		await (await this.getCredentials(nodeCredentials, type)).setData(data);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		await (await this.getCredentials(nodeCredentials, type)).updateData({ oauthTokenData: data.oauthTokenData });
	}
}

function unsupported(what: string) {
	return async () => {
		throw new Error(`${what} is not available in the unit-test harness`);
	};
}

function buildAdditionalData(credentialsHelper: ICredentialsHelper): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper,
		executeWorkflow: unsupported('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: unsupported('startRunnerTask'),
		logAiEvent: () => {},
		executionId: 'harness-execution',
		workflowId: 'harness-workflow',
		userId: 'harness-user',
		currentNodeExecutionIndex: 0,
		variables: {},
		restApiUrl: `${BASE}/rest`,
		instanceBaseUrl: `${BASE}/`,
		formBaseUrl: `${BASE}/form`,
		formWaitingBaseUrl: `${BASE}/form-waiting`,
		formTestBaseUrl: `${BASE}/form-test`,
		webhookBaseUrl: `${BASE}/webhook`,
		webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE}/webhook-test`,
		mcpBaseUrl: `${BASE}/mcp`,
		mcpTestBaseUrl: `${BASE}/mcp-test`,
		// n8n-core declares more members (externalSecretsProxy, hooks...) that these node methods never reach.
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** An express-like request with lower-cased headers, as n8n's webhook server hands to `webhook()`. */
function buildRequest(request: WebhookRequest) {
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(request.headers ?? {})) headers[key.toLowerCase()] = value;
	const body = request.body ?? {};
	const rawBody =
		request.rawBody ?? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
	const query = request.query ?? {};
	const path = request.path ?? '/webhook/test-hook';
	const search = new URLSearchParams(query).toString();
	return {
		headers,
		body,
		rawBody,
		query,
		params: {},
		method: (request.method ?? 'POST').toUpperCase(),
		path,
		url: search ? `${path}?${search}` : path,
		get: (name: string) => headers[name.toLowerCase()],
		header: (name: string) => headers[name.toLowerCase()],
	};
}

/** An express-like response that records what the node sends; every setter is chainable. */
function buildResponse(http: RecordedHttp) {
	const res = {
		status(code: number) {
			http.statusCode = code;
			return res;
		},
		sendStatus(code: number) {
			http.statusCode = code;
			http.ended = true;
			return res;
		},
		setHeader(name: string, value: string) {
			http.headers[name.toLowerCase()] = String(value);
			return res;
		},
		set(name: string, value: string) {
			return res.setHeader(name, value);
		},
		header(name: string, value: string) {
			return res.setHeader(name, value);
		},
		// Express's send ends the response through end(), which a trigger may watch.
		send(body?: unknown) {
			http.body = body;
			return res.end();
		},
		json(body?: unknown) {
			http.headers['content-type'] ??= 'application/json';
			return res.send(body);
		},
		end(body?: unknown) {
			if (body !== undefined) http.body = body;
			http.statusCode ??= 200;
			http.ended = true;
			return res;
		},
		get statusCode() {
			return http.statusCode ?? 200;
		},
		get headersSent() {
			return http.ended;
		},
	};
	return res;
}

const workflowIds = new WeakMap<IDataObject, string>();
let workflowCount = 0;
function workflowIdFor(staticData: IDataObject): string {
	let id = workflowIds.get(staticData);
	if (!id) {
		id = `harness-workflow-${++workflowCount}`;
		workflowIds.set(staticData, id);
	}
	return id;
}

export function createHarness(opts: HarnessOptions) {
	registerServices();
	const credentialTypes = new Map(opts.credentialTypes.map((type) => [type.name, type]));

	/** A one-node workflow, built the way n8n builds it (the Workflow constructor fills defaults). */
	function setup(nodeType: INodeType | IVersionedNodeType, run: RunOptions) {
		const versions =
			'nodeVersions' in nodeType
				? Object.keys(nodeType.nodeVersions).map(Number)
				: [nodeType.description.version].flat();
		const typeVersion =
			run.typeVersion ?? (nodeType.description.defaultVersion as number | undefined) ?? Math.max(...versions);
		const type = NodeHelpers.getVersionedNodeType(nodeType, typeVersion);
		// Community node types are registered as `<package>.<description.name>`.
		const typeName = `${PACKAGE}.${type.description.name}`;
		const nodeTypes: INodeTypes = {
			getByName: () => nodeType,
			getByNameAndVersion: (name, version) => {
				if (name !== typeName) throw new Error(`Unknown node type "${name}"`);
				return NodeHelpers.getVersionedNodeType(nodeType, version);
			},
			getKnownTypes: () => ({}),
		};
		const store = deepCopy(run.credentials ?? {});
		const credentials = Object.fromEntries(Object.keys(store).map((type) => [type, { id: `${type}-id`, name: type }]));
		const node: INode = {
			id: 'harness-node',
			name: (type.description.defaults?.name as string | undefined) ?? type.description.displayName,
			type: typeName,
			typeVersion,
			position: [0, 0],
			webhookId: 'harness-webhook-id',
			parameters: deepCopy(run.parameters),
			credentials,
			...(run.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		};
		const staticData = run.staticData ?? {};
		const workflow = new Workflow({
			// One workflow per static-data object: runs that share static data are the same workflow,
			// and share what a trigger keeps in process for it (its delivery sequencer).
			id: workflowIdFor(staticData),
			name: 'Harness workflow',
			nodes: [node],
			connections: {},
			active: true,
			nodeTypes,
			staticData: { [`node:${node.name}`]: staticData },
		});
		const credentialsHelper = new HarnessCredentialsHelper(credentialTypes, store);
		const additionalData = buildAdditionalData(credentialsHelper);
		if (run.executionId) additionalData.executionId = run.executionId;
		return { workflow, node: workflow.nodes[node.name], type, additionalData, staticData };
	}

	function webhookData(
		workflow: Workflow,
		node: INode,
		type: INodeType,
		additionalData: IWorkflowExecuteAdditionalData,
		name: string,
		requestPath?: string,
	): IWebhookData {
		// Several webhooks may share a name (one per path): n8n picks the one the request's path names.
		const named = type.description.webhooks?.filter((webhook) => webhook.name === name) ?? [];
		const description =
			named.find((webhook) => requestPath !== undefined && requestPath.endsWith(`/${String(webhook.path)}`)) ?? named[0];
		if (!description) throw new Error(`Node "${type.description.name}" has no webhook named "${name}"`);
		return {
			httpMethod: 'POST',
			node: node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: node.webhookId,
		};
	}

	/** getNodeWebhookUrl('default') answers `run.webhookUrl`; other names keep n8n's own computation. */
	function pinWebhookUrl(context: { getNodeWebhookUrl(name: WebhookType): string | undefined }, run: RunOptions) {
		const computed = context.getNodeWebhookUrl.bind(context);
		context.getNodeWebhookUrl = (name: WebhookType) =>
			name === 'default' ? (run.webhookUrl ?? DEFAULT_WEBHOOK_URL) : computed(name);
	}

	return {
		/**
		 * Runs `execute()` like WorkflowExecute.executeNode. A thrown error always propagates, even with
		 * continueOnFail (n8n's engine would pass the input through), so nodes must handle it per item.
		 */
		async execute(nodeType: INodeType | IVersionedNodeType, run: RunOptions): Promise<INodeExecutionData[][]> {
			const { workflow, node, type, additionalData } = setup(nodeType, run);
			if (!type.execute) throw new Error(`Node "${type.description.name}" has no execute()`);
			const items = run.items ?? [{ json: {} }];
			const inputData = { main: [items] };
			const executeData: IExecuteData = { node, data: inputData, source: { main: [{ previousNode: 'Trigger' }] } };
			const closeFunctions: CloseFunction[] = [];
			const context = new ExecuteContext(
				workflow,
				node,
				additionalData,
				'trigger',
				createRunExecutionData({ executionData: { nodeExecutionStack: [executeData] } }),
				0,
				items,
				inputData,
				executeData,
				closeFunctions,
			);
			try {
				return ((await type.execute.call(context)) ?? []) as INodeExecutionData[][];
			} finally {
				await Promise.allSettled(closeFunctions.map(async (close) => await close()));
			}
		},

		/**
		 * Activates `trigger()` like n8n's active workflows do. Every emit is recorded; its execution
		 * "finishes" at once as `finish(items)` says (default: success), so a trigger waiting for it goes on.
		 */
		async trigger(
			nodeType: INodeType | IVersionedNodeType,
			run: RunOptions & { finish?: (items: INodeExecutionData[]) => 'success' | 'error' },
		) {
			const { workflow, node, type, additionalData, staticData } = setup(nodeType, run);
			if (!type.trigger) throw new Error(`Node "${type.description.name}" has no trigger()`);
			const emitted: INodeExecutionData[][] = [];
			const failures: Error[] = [];
			const emit: ITriggerFunctions['emit'] = (data, _response, done) => {
				const items = data[0] ?? [];
				emitted.push(items);
				const outcome = run.finish?.(items) ?? 'success';
				done?.resolve({
					status: outcome,
					data: { resultData: { runData: {}, ...(outcome === 'error' ? { error: { message: 'failed' } } : {}) } },
				} as unknown as IRun);
			};
			const context = new TriggerContext(
				workflow,
				node,
				additionalData,
				'trigger',
				'activate',
				emit,
				(error) => failures.push(error),
				(error) => failures.push(error),
			);
			const response = await type.trigger.call(context);
			return { emitted, failures, staticData, close: async () => await response?.closeFunction?.() };
		},

		/** Runs webhookMethods[webhookName][method] like n8n does when a workflow is published/unpublished. */
		async hook(
			nodeType: INodeType | IVersionedNodeType,
			method: 'checkExists' | 'create' | 'delete',
			run: RunOptions & { webhookName?: string },
		): Promise<{ result: boolean; staticData: IDataObject }> {
			const { workflow, node, type, additionalData, staticData } = setup(nodeType, run);
			const name = (run.webhookName ?? 'default') as WebhookType;
			const fn = type.webhookMethods?.[name]?.[method];
			if (!fn) throw new Error(`Node "${type.description.name}" has no webhookMethods.${name}.${method}`);
			const data = webhookData(workflow, node, type, additionalData, name);
			const context = new HookContext(workflow, node, additionalData, 'trigger', 'activate', data);
			pinWebhookUrl(context, run);
			const result = await fn.call(context);
			return { result, staticData };
		},

		/** Delivers one HTTP request to `webhook()` like n8n's webhook server. */
		async webhook(
			nodeType: INodeType | IVersionedNodeType,
			run: RunOptions & {
				webhookName?: string;
				request: WebhookRequest;
				/** How the execution the delivery starts ends, when n8n answers after it (lastNode). Default 'success'. */
				execution?: 'success' | 'error' | 'pending';
			},
		): Promise<{ response: IWebhookResponseData; http: RecordedHttp; staticData: IDataObject; endExecution: (ok: boolean) => void }> {
			// Unit tests do not wait for stragglers unless they set the hold-back themselves.
			const options = (run.parameters.options ?? {}) as IDataObject;
			const parameters =
				'holdBackMs' in options ? run.parameters : { ...run.parameters, options: { ...options, holdBackMs: 0 } };
			const { workflow, node, type, additionalData, staticData } = setup(nodeType, { ...run, parameters });
			if (!type.webhook) throw new Error(`Node "${type.description.name}" has no webhook()`);
			const http: RecordedHttp = { statusCode: undefined, body: undefined, ended: false, headers: {} };
			additionalData.httpRequest = buildRequest(run.request) as unknown as IWorkflowExecuteAdditionalData['httpRequest'];
			additionalData.httpResponse = buildResponse(http) as unknown as IWorkflowExecuteAdditionalData['httpResponse'];
			const data = webhookData(workflow, node, type, additionalData, run.webhookName ?? 'default', run.request.path);
			data.httpMethod = (run.request.method ?? 'POST').toUpperCase() as IWebhookData['httpMethod'];
			const context = new WebhookContext(workflow, node, additionalData, 'webhook', data, [], null);
			pinWebhookUrl(context, run);
			const response = await type.webhook.call(context);
			// What n8n's webhook server does with the answer: a node's own answer stands; otherwise
			// onReceived answers now, lastNode once the execution has ended (200, or 500 on an error).
			const res = additionalData.httpResponse as unknown as ReturnType<typeof buildResponse>;
			// A trigger may hold the answer a moment after the execution (to record what it relayed).
			const endExecution = async (ok: boolean) => {
				if (!http.ended) res.status(ok ? 200 : 500).json(ok ? undefined : { message: 'Error in workflow' });
				for (let waited = 0; !http.ended && waited < 10_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
			};
			const mode = data.webhookDescription.responseMode;
			if (!response.noWebhookResponse && response.workflowData && mode === 'lastNode') {
				if ((run.execution ?? 'success') !== 'pending') await endExecution(run.execution !== 'error');
			}
			return { response, http, staticData, endExecution };
		},

		/** Calls methods.loadOptions[method] like n8n's dynamic-node-parameters endpoint. */
		async loadOptions(
			nodeType: INodeType | IVersionedNodeType,
			method: string,
			run: RunOptions & { currentNodeParameters?: INodeParameters },
		): Promise<INodePropertyOptions[]> {
			// n8n builds a temporary node from the editor's current parameters (defaults included).
			const parameters = run.currentNodeParameters ?? run.parameters;
			const { workflow, node, type, additionalData } = setup(nodeType, { ...run, parameters });
			const fn = type.methods?.loadOptions?.[method];
			if (!fn) throw new Error(`Node "${type.description.name}" has no methods.loadOptions.${method}`);
			additionalData.currentNodeParameters = node.parameters;
			const property = type.description.properties.find((p) => p.typeOptions?.loadOptionsMethod === method);
			const context = new LoadOptionsContext(workflow, node, additionalData, `parameters.${property?.name ?? method}`);
			return await fn.call(context);
		},

		/** Calls methods.listSearch[method] like n8n's resource-locator search endpoint. */
		async listSearch(
			nodeType: INodeType | IVersionedNodeType,
			method: string,
			run: RunOptions & { filter?: string },
		): Promise<INodeListSearchResult> {
			const { workflow, node, type, additionalData } = setup(nodeType, run);
			const fn = type.methods?.listSearch?.[method];
			if (!fn) throw new Error(`Node "${type.description.name}" has no methods.listSearch.${method}`);
			additionalData.currentNodeParameters = node.parameters;
			const property = type.description.properties.find((p) => p.modes?.some((mode) => mode.typeOptions?.searchListMethod === method));
			const context = new LoadOptionsContext(workflow, node, additionalData, `parameters.${property?.name ?? method}`);
			return await fn.call(context, run.filter);
		},

		/**
		 * Performs the credential type's `test.request` like n8n's CredentialsTester: through a
		 * RoutingNode on a temporary node, with defaults filled, authenticate (and preAuthentication) applied.
		 */
		async testCredential(
			credentialTypeName: string,
			data: ICredentialDataDecryptedObject,
		): Promise<{ status: 'OK' | 'Error'; message: string }> {
			const credentialType = credentialTypes.get(credentialTypeName);
			if (!credentialType?.test) return { status: 'Error', message: 'No testing function found for this credential.' };
			const store = { [credentialTypeName]: deepCopy(data) };
			const credentialsHelper = new HarnessCredentialsHelper(credentialTypes, store);
			const decrypted = credentialsHelper.applyDefaults(store[credentialTypeName], credentialTypeName);
			const tempType: INodeType = {
				description: {
					displayName: 'Temp',
					name: 'n8n-nodes-base.noOp',
					group: ['transform'],
					version: 1,
					description: '',
					defaults: { name: 'Temp-Node' },
					inputs: ['main'],
					outputs: ['main'],
					credentials: [{ name: credentialTypeName, required: true }],
					properties: [
						{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: credentialType.test.request } },
					],
				},
			};
			const node: INode = {
				id: 'temp',
				name: 'Temp-Node',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
				credentials: { [credentialTypeName]: { id: 'temp', name: credentialTypeName } },
			};
			const workflow = new Workflow({
				nodes: [node],
				connections: {},
				active: false,
				nodeTypes: {
					getByName: () => tempType,
					getByNameAndVersion: () => tempType,
					getKnownTypes: () => ({}),
				},
			});
			const inputData = { main: [[{ json: {} }]] };
			const executeData: IExecuteData = { node: workflow.nodes[node.name], data: {}, source: null };
			const context = new ExecuteContext(
				workflow,
				workflow.nodes[node.name],
				buildAdditionalData(credentialsHelper),
				'internal',
				createRunExecutionData(),
				0,
				[],
				inputData,
				executeData,
				[],
			);
			const routingNode = new RoutingNode(context, tempType, {
				id: 'temp',
				name: credentialTypeName,
				type: credentialTypeName,
				data: decrypted,
			});
			let output: INodeExecutionData[][] | null | undefined;
			try {
				output = await routingNode.runNode();
			} catch (error) {
				const response = error.cause?.response as { status: number; statusText?: string } | undefined;
				if (response) {
					for (const rule of credentialType.test.rules ?? []) {
						if (rule.type === 'responseCode' && rule.properties.value === response.status) {
							return { status: 'Error', message: rule.properties.message };
						}
					}
					if (response.status < 200 || response.status > 299) {
						return {
							status: 'Error',
							message: response.statusText || `Received HTTP status code: ${response.status}`,
						};
					}
				}
				if (error.cause?.code) return { status: 'Error', message: String(error.cause.code) };
				return { status: 'Error', message: String(error.message) };
			}
			for (const rule of credentialType.test.rules ?? []) {
				if (rule.type !== 'responseSuccessBody') continue;
				const value = rule.properties.key
					.split('.')
					.reduce<unknown>((at, key) => (at as IDataObject | undefined)?.[key], output?.[0]?.[0]?.json);
				if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
			}
			return { status: 'OK', message: 'Connection successful!' };
		},
	};
}
