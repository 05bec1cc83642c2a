import { BackfillEntity } from './backfill-entity.js';
import { CheckpointEntity } from './checkpoint-entity.js';
import { DeadLetterEntity } from './dead-letter-entity.js';
import { MetaEntity } from './meta-entity.js';
import { UserStateEntity } from './user-state-entity.js';

/** Every entity of the state store, for the DataSource. */
export const stateEntities = [UserStateEntity, DeadLetterEntity, CheckpointEntity, BackfillEntity, MetaEntity];
