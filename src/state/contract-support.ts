/**
 * What every part of the StateStore contract suite shares: how a test gets a fresh store from
 * the backend under test and is sure to close it. Exports MakeStore and withStore.
 */
import type { StateStore } from './store.ts';

export type MakeStore = () => Promise<StateStore>;

export async function withStore(makeStore: MakeStore, body: (store: StateStore) => Promise<void>): Promise<void> {
  const store = await makeStore();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}
