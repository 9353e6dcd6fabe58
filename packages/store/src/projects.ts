import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, Project, type ProjectFields, type Stage, type AppError } from '@bt/core';
import { auditOp, type WriteContext } from './audit.ts';
import { collections, keys } from './keys.ts';
import { fromStored } from './stored.ts';
import { collectionItems, equalsFilter, queryCollection, type Page, type PageRequest } from './pagination.ts';
import { transact, type TxOp } from './transact.ts';
import type { SummaryRepository } from './summaries.ts';
import { codeChangeOps, codeGuardOp, staleVersion } from './workstreams.ts';

export interface ProjectFilter {
  workstreamId?: string | undefined;
  stage?: Stage | undefined;
  directorate?: string | undefined;
}

export class ProjectRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly summaries: SummaryRepository,
  ) {}

  async get(id: string): Promise<Project | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.project(id), ConsistentRead: true }));
    return result.Item ? fromStored(Project, result.Item) : undefined;
  }

  async getOrThrow(id: string): Promise<Project> {
    const project = await this.get(id);
    if (!project) throw new NotFoundError(`There is no project ${id}.`);
    return project;
  }

  /** Projects by code: all of them, or one workstream's (its own index partition); stage and directorate filter. */
  async list(filter: ProjectFilter, page: PageRequest): Promise<Page<Project>> {
    const where = equalsFilter({ stage: filter.stage, directorate: filter.directorate });
    const collection = filter.workstreamId ? collections.projectsOfWorkstream(filter.workstreamId) : collections.projects();
    const result = await queryCollection(this.doc, this.tableName, collection, page, { filter: where });
    return { items: result.items.map((i) => fromStored(Project, i)), nextCursor: result.nextCursor };
  }

  /**
   * Every project's id, without reading (or parsing) the projects: a
   * programme-wide job reads each record on its own, so one record that does
   * not parse is skipped rather than stopping the job.
   */
  async ids(): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of collectionItems(this.doc, this.tableName, collections.projects(), 'id')) ids.push(String(item.id));
    return ids;
  }

  /** Creates a project with its code guard and audit entry; `guards` add checks (e.g. that its workstream exists). */
  async create(ctx: WriteContext, fields: ProjectFields, guards: TxOp[]): Promise<Project> {
    const { project, ops } = this.createOps(ctx, fields);
    await transact(this.doc, [...ops, ...this.summaries.createOp(project), ...guards]);
    return project;
  }

  /**
   * The writes that create a project (item, code guard, audit entry), for a
   * caller's own transaction; the caller adds its summary (`summaries.createOp`
   * when empty, `rebuildOp` when created with its savings).
   */
  createOps(ctx: WriteContext, fields: ProjectFields): { project: Project; ops: TxOp[] } {
    const project: Project = { ...fields, version: 1, createdAt: ctx.now, createdBy: ctx.actor.sub, updatedAt: ctx.now, updatedBy: ctx.actor.sub };
    return {
      project,
      ops: [
        this.putOp(project, 'attribute_not_exists(pk)', () => new ConflictError('already-exists', `Project ${project.id} already exists.`)),
        codeGuardOp(this.tableName, 'project', project.code, project.id),
        auditOp(this.tableName, ctx, { entityType: 'project', entityId: project.id, projectId: project.id, action: 'create', before: null, after: project }),
      ],
    };
  }

  /** Writes the next version if the project is still at `before.version` (412 otherwise), with its audit entry. */
  async update(ctx: WriteContext, before: Project, fields: ProjectFields, guards: TxOp[]): Promise<Project> {
    const { item: next, ops } = this.updateOps(ctx, before, fields);
    await transact(this.doc, [...ops, ...this.summaries.projectChangedOp(next), ...guards]);
    return next;
  }

  /** The writes of a project's next version (guarded on the version read, its code, its audit entry) without its summary. */
  updateOps(ctx: WriteContext, before: Project, fields: ProjectFields, action = 'update'): { item: Project; ops: TxOp[] } {
    // `fields` is the whole next state: a field it lacks (a removed commentary) is removed, not kept from `before`.
    const next: Project = {
      ...fields,
      version: before.version + 1,
      createdAt: before.createdAt,
      createdBy: before.createdBy,
      updatedAt: ctx.now,
      updatedBy: ctx.actor.sub,
    };
    return {
      item: next,
      ops: [
        this.putOp(next, 'version = :expected', () => staleVersion('project', before), { ':expected': before.version }),
        ...codeChangeOps(this.tableName, 'project', before.code, next.code, next.id),
        auditOp(this.tableName, ctx, { entityType: 'project', entityId: next.id, projectId: next.id, action, before, after: next }),
      ],
    };
  }

  /**
   * A guard in a write's transaction that the project is still as it was
   * read: same stage (the baseline lock depends on it) and same manager (the
   * permission depends on it).
   */
  unchangedOp(project: Pick<Project, 'id' | 'code' | 'stage' | 'manager'>): TxOp {
    return {
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.project(project.id),
          ConditionExpression: '#stage = :stage AND #manager = :manager',
          ExpressionAttributeNames: { '#stage': 'stage', '#manager': 'manager' },
          ExpressionAttributeValues: { ':stage': project.stage, ':manager': project.manager },
        },
      },
      onConditionFailed: () =>
        new ConflictError('concurrent-modification', `Project ${project.code} changed stage or manager while you were working; try again.`),
    };
  }

  private putOp(project: Project, condition: string, onConditionFailed: () => AppError, values?: Record<string, unknown>): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.project(project.id), ...keys.projectIndex(project.code, project.workstreamId), entity: 'project', ...project },
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        },
      },
      onConditionFailed,
    };
  }
}
