// Drives the environments backend's refresh task from the benchmark: trigger
// it, wait for its end, and watch when the environments first show a snapshot.
const TASK_ID = 'environments-refresh';
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function taskState(backend, token) {
  const res = await backend.get(
    '/api/environments/.backstage/scheduler/v1/tasks',
    token,
  );
  if (res.status !== 200) {
    throw new Error(
      `scheduler state: HTTP ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
  return res.body.tasks.find(t => t.taskId === TASK_ID)?.taskState ?? {};
}

/**
 * Waits until the refresh task is idle again after a run that ended after
 * `after`. Asks every 200 ms: each ask is a request the backend serves during
 * the refresh it measures (the refresh's time is taken at the proxy).
 */
export async function waitForRefresh(backend, token, { after, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let seenRunning = false;
  let failures = 0;
  while (Date.now() < deadline) {
    let state;
    try {
      state = await taskState(backend, token);
      failures = 0;
    } catch (error) {
      // A backend busy with a large first read has failed a token
      // verification now and then (a 401): ask again, five times at most.
      if (++failures > 5) throw error;
      await sleep(1000);
      continue;
    }
    if (state.status === 'running') seenRunning = true;
    if (
      state.status === 'idle' &&
      state.lastRunEndedAt &&
      (seenRunning || state.lastRunEndedAt !== after)
    ) {
      return state;
    }
    await sleep(200);
  }
  throw new Error(`refresh did not end within ${timeoutMs} ms`);
}

/** Triggers the refresh task and waits for its end; returns its last state. */
export async function refreshNow(backend, token, { after, timeoutMs }) {
  const triggered = await fetch(
    `${backend.baseUrl}/api/environments/.backstage/scheduler/v1/tasks/${TASK_ID}/trigger`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  if (!triggered.ok) {
    throw new Error(
      `trigger refresh: HTTP ${triggered.status} ${await triggered.text()}`,
    );
  }
  return waitForRefresh(backend, token, { after, timeoutMs });
}

/**
 * Asks GET /v1/environments, as a user opening the dashboard would, until
 * every environment shows a snapshot read after `since` (a request waits for
 * a first read running, and is answered as soon as its health is stored).
 * Resolves with the time (Date.now()) each environment was first seen so,
 * to within the 100 ms between two asks.
 */
export async function watchFirstSnapshots(backend, token, { since, names }) {
  const seenAt = {};
  const deadline = Date.now() + 300_000;
  while (Object.keys(seenAt).length < names.length && Date.now() < deadline) {
    const res = await backend.get('/api/environments/v1/environments', token);
    const now = Date.now();
    if (res.status === 200) {
      for (const item of res.body.items) {
        if (
          !seenAt[item.name] &&
          item.refreshedAt &&
          Date.parse(item.refreshedAt) >= since
        ) {
          seenAt[item.name] = now;
        }
      }
    }
    await sleep(100);
  }
  return seenAt;
}

/**
 * Triggers the refresh task again and again, as the refresh timer would (back
 * to back here), until no environment has a part pending: a first read
 * describes one burst of task definitions per environment and leaves the rest
 * to the next reads. Returns how many refreshes it took and the last state.
 */
export async function refreshUntilWhole(
  backend,
  token,
  { after, timeoutMs, maxRefreshes = 200 },
) {
  let last = { lastRunEndedAt: after };
  for (let refreshes = 0; refreshes <= maxRefreshes; refreshes++) {
    const list = await backend.get('/api/environments/v1/environments', token);
    if (
      list.status === 200 &&
      list.body.items.every(item => !item.pending?.length)
    ) {
      return { refreshes, state: last };
    }
    last = await refreshNow(backend, token, {
      after: last.lastRunEndedAt,
      timeoutMs,
    });
  }
  throw new Error(`still pending after ${maxRefreshes} refreshes`);
}
