import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { tiledeskApi } from '../transport';

function asList(body: unknown): IDataObject[] {
	return Array.isArray(body) ? (body as IDataObject[]) : [];
}

export async function getDepartments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const departments = asList(await tiledeskApi.call(this, { call: 'list departments', method: 'GET', path: 'departments' }));
	return departments
		.filter((department) => department._id)
		.map((department) => ({
			name: `${String(department.name ?? department._id)}${department.default === true ? ' (default)' : ''}`,
			value: String(department._id),
			description: typeof department.description === 'string' ? department.description : undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/** Project members who can take conversations; the value is the user ID Tiledesk uses as participant. */
export async function getAgents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const projectUsers = asList(
		await tiledeskApi.call(this, { call: 'list agents', method: 'GET', path: 'project_users' }),
	);
	const options: INodePropertyOptions[] = [];
	for (const projectUser of projectUsers) {
		const user = projectUser.id_user;
		if (typeof user !== 'object' || user === null) continue;
		const { _id: id, firstname, lastname, email } = user as IDataObject;
		if (!id) continue;
		const fullName = [firstname, lastname].filter((part) => typeof part === 'string' && part).join(' ');
		options.push({
			name: fullName || String(email ?? id),
			value: String(id),
			description: [projectUser.role, email, projectUser.user_available === false ? 'unavailable' : undefined]
				.filter(Boolean)
				.join(' · '),
		});
	}
	return options.sort((a, b) => a.name.localeCompare(b.name));
}
