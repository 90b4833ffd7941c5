/**
 * State machine versions and aliases, as the Step Functions API has them: a version is an immutable
 * snapshot of a state machine's definition (`<stateMachineArn>:<n>`), an alias routes executions
 * to one or two versions by weight (`<stateMachineArn>:<name>`). Executions started through an
 * alias run the version it picked; running executions keep theirs whatever the alias does next.
 *
 * Kept in `versions.json` of the persistence directory (rewritten atomically on every change: they
 * change on deploys and rollbacks, never per run), so a restarted runtime has the versions and
 * aliases it had, as the service does.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDefinition, type ParsedDefinition } from './definition.js';
import { SfnServiceError } from './errors.js';

export interface RoutingEntry {
  readonly stateMachineVersionArn: string;
  readonly weight: number;
}

export interface VersionRecord {
  readonly stateMachineVersionArn: string;
  readonly stateMachineArn: string;
  readonly version: number;
  readonly description?: string;
  readonly revisionId: string;
  readonly creationDate: Date;
  readonly definition: ParsedDefinition;
}

export interface AliasRecord {
  readonly stateMachineAliasArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  description?: string;
  routingConfiguration: RoutingEntry[];
  readonly creationDate: Date;
  updateDate: Date;
}

interface Saved {
  versions: { arn: string; sm: string; v: number; desc?: string; rev: string; created: string; def: string }[];
  aliases: { arn: string; sm: string; name: string; desc?: string; routing: RoutingEntry[]; created: string; updated: string }[];
}

const FILE = 'versions.json';
// Alias names: letters, digits, - _ . and at least one non-digit (a number would read as a version).
const ALIAS_NAME = /^(?=.*[a-zA-Z_.-])[a-zA-Z0-9_.-]{1,80}$/;

/** The revision of a definition: what PublishStateMachineVersion compares to skip an unchanged publish. */
export const revisionOf = (definitionText: string): string => createHash('sha256').update(definitionText).digest('hex').slice(0, 32);

export class VersionRegistry {
  private readonly versions = new Map<string, VersionRecord[]>();
  private readonly aliases = new Map<string, AliasRecord>();
  private readonly file?: string;

  constructor(persistenceDir?: string) {
    if (persistenceDir === undefined) return;
    mkdirSync(persistenceDir, { recursive: true });
    this.file = join(persistenceDir, FILE);
    if (existsSync(this.file)) this.load(JSON.parse(readFileSync(this.file, 'utf8')) as Saved);
  }

  /** Publishes the definition as the machine's next version, unless it is the latest version already (then that one). */
  publish(stateMachineArn: string, definition: ParsedDefinition, description?: string, expectedRevisionId?: string): VersionRecord {
    const revisionId = revisionOf(definition.definitionText);
    if (expectedRevisionId !== undefined && expectedRevisionId !== revisionId) {
      throw new SfnServiceError('ConflictException', `The state machine's revision is ${revisionId}, not ${expectedRevisionId}`);
    }
    const list = this.versions.get(stateMachineArn) ?? [];
    const latest = list.at(-1);
    if (latest && latest.revisionId === revisionId) return latest;
    const version = (latest?.version ?? 0) + 1;
    const record: VersionRecord = {
      stateMachineVersionArn: `${stateMachineArn}:${version}`, stateMachineArn, version, revisionId, creationDate: new Date(), definition,
      ...(description ? { description } : {}),
    };
    this.versions.set(stateMachineArn, [...list, record]);
    this.save();
    return record;
  }

  version(versionArn: string): VersionRecord | undefined {
    const at = versionArn.lastIndexOf(':');
    return this.versions.get(versionArn.slice(0, at))?.find((v) => v.stateMachineVersionArn === versionArn);
  }

  /** Newest first, as ListStateMachineVersions orders them. */
  listVersions(stateMachineArn: string): VersionRecord[] {
    return [...(this.versions.get(stateMachineArn) ?? [])].reverse();
  }

  deleteVersion(versionArn: string): void {
    const alias = [...this.aliases.values()].find((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === versionArn));
    if (alias) throw new SfnServiceError('ConflictException', `Version ${versionArn} is routed to by alias ${alias.stateMachineAliasArn}; update the alias first`);
    const found = this.version(versionArn);
    if (!found) return;
    this.versions.set(found.stateMachineArn, this.versions.get(found.stateMachineArn)!.filter((v) => v !== found));
    this.save();
  }

  alias(aliasArn: string): AliasRecord | undefined {
    return this.aliases.get(aliasArn);
  }

  listAliases(stateMachineArn: string): AliasRecord[] {
    return [...this.aliases.values()].filter((a) => a.stateMachineArn === stateMachineArn);
  }

  createAlias(name: string, routing: RoutingEntry[], description?: string): AliasRecord {
    if (!ALIAS_NAME.test(name)) throw new SfnServiceError('ValidationException', `Invalid alias name '${name}': letters, digits, - _ . only, not all digits`);
    const stateMachineArn = this.checkRouting(routing);
    const aliasArn = `${stateMachineArn}:${name}`;
    const existing = this.aliases.get(aliasArn);
    if (existing) {
      // Idempotent for the same request, as the service is.
      if (JSON.stringify(existing.routingConfiguration) === JSON.stringify(routing) && existing.description === description) return existing;
      throw new SfnServiceError('ConflictException', `Alias ${aliasArn} already exists with another configuration`);
    }
    const now = new Date();
    const alias: AliasRecord = { stateMachineAliasArn: aliasArn, stateMachineArn, name, routingConfiguration: routing, creationDate: now, updateDate: now, ...(description ? { description } : {}) };
    this.aliases.set(aliasArn, alias);
    this.save();
    return alias;
  }

  updateAlias(aliasArn: string, update: { routingConfiguration?: RoutingEntry[]; description?: string }): AliasRecord {
    const alias = this.aliases.get(aliasArn);
    if (!alias) throw new SfnServiceError('ResourceNotFound', `Alias Does Not Exist: '${aliasArn}'`);
    if (update.routingConfiguration) {
      if (this.checkRouting(update.routingConfiguration) !== alias.stateMachineArn) {
        throw new SfnServiceError('ValidationException', `routingConfiguration: versions of ${alias.stateMachineArn} only`);
      }
      alias.routingConfiguration = update.routingConfiguration;
    }
    if (update.description !== undefined) alias.description = update.description;
    alias.updateDate = new Date();
    this.save();
    return alias;
  }

  deleteAlias(aliasArn: string): void {
    if (this.aliases.delete(aliasArn)) this.save();
  }

  /** The version an execution started through `alias` runs: one of its routes, by weight. */
  pick(alias: AliasRecord, random = Math.random()): VersionRecord {
    let threshold = random * 100;
    const routes = alias.routingConfiguration;
    const route = routes.find((r) => (threshold -= r.weight) < 0) ?? routes.at(-1)!;
    return this.version(route.stateMachineVersionArn)!;
  }

  /** One or two versions of one state machine, weights summing to 100; returns that state machine's ARN. */
  private checkRouting(routing: RoutingEntry[]): string {
    if (routing.length < 1 || routing.length > 2) throw new SfnServiceError('ValidationException', 'routingConfiguration: one or two versions');
    if (routing.reduce((sum, r) => sum + r.weight, 0) !== 100) throw new SfnServiceError('ValidationException', 'routingConfiguration: the weights must add up to 100');
    if (routing.length === 2 && routing[0]!.stateMachineVersionArn === routing[1]!.stateMachineVersionArn) {
      throw new SfnServiceError('ValidationException', 'routingConfiguration: two different versions');
    }
    const machines = new Set<string>();
    for (const { stateMachineVersionArn } of routing) {
      const version = this.version(stateMachineVersionArn);
      if (!version) throw new SfnServiceError('ResourceNotFound', `State Machine Version Does Not Exist: '${stateMachineVersionArn}'`);
      machines.add(version.stateMachineArn);
    }
    if (machines.size !== 1) throw new SfnServiceError('ValidationException', 'routingConfiguration: versions of one state machine only');
    return [...machines][0]!;
  }

  private load(saved: Saved): void {
    for (const v of saved.versions) {
      const list = this.versions.get(v.sm) ?? [];
      list.push({
        stateMachineVersionArn: v.arn, stateMachineArn: v.sm, version: v.v, revisionId: v.rev, creationDate: new Date(v.created),
        definition: parseDefinition(v.def), ...(v.desc ? { description: v.desc } : {}),
      });
      this.versions.set(v.sm, list);
    }
    for (const a of saved.aliases) {
      this.aliases.set(a.arn, {
        stateMachineAliasArn: a.arn, stateMachineArn: a.sm, name: a.name, routingConfiguration: a.routing,
        creationDate: new Date(a.created), updateDate: new Date(a.updated), ...(a.desc ? { description: a.desc } : {}),
      });
    }
  }

  private save(): void {
    if (!this.file) return;
    const saved: Saved = {
      versions: [...this.versions.values()].flat().map((v) => ({
        arn: v.stateMachineVersionArn, sm: v.stateMachineArn, v: v.version, rev: v.revisionId, created: v.creationDate.toISOString(),
        def: v.definition.definitionText, ...(v.description ? { desc: v.description } : {}),
      })),
      aliases: [...this.aliases.values()].map((a) => ({
        arn: a.stateMachineAliasArn, sm: a.stateMachineArn, name: a.name, routing: a.routingConfiguration,
        created: a.creationDate.toISOString(), updated: a.updateDate.toISOString(), ...(a.description ? { desc: a.description } : {}),
      })),
    };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(saved));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
