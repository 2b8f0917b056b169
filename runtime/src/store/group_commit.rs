//! Group commit: writers that need durability wait for a flush that covers
//! their write; one flush serves everyone who arrived while the previous one ran.

use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Waiter = oneshot::Sender<Result<(), String>>;

pub struct GroupCommit {
    db: sled::Db,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    waiting: Vec<Waiter>,
    flushing: bool,
}

impl GroupCommit {
    pub fn new(db: sled::Db) -> Self {
        Self {
            db,
            state: Arc::default(),
        }
    }

    /// Returns once every write made before the call is on disk.
    pub async fn durable(&self) -> anyhow::Result<()> {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut state = self.state.lock().expect("group commit lock");
            state.waiting.push(tx);
            !std::mem::replace(&mut state.flushing, true)
        };
        if lead {
            self.lead_flush();
        }
        match rx.await {
            Ok(result) => result.map_err(|e| anyhow::anyhow!("storage flush failed: {e}")),
            Err(_) => anyhow::bail!("storage flush was abandoned"),
        }
    }

    /// Starts flushing for everyone waiting. sled's flush is synchronous file
    /// I/O: on a multi-threaded runtime the first writer flushes on its own
    /// thread (no hand-off on the path of a lone writer) and leaves writers who
    /// arrived meanwhile to a background flusher, so it waits for one flush at
    /// most; elsewhere the whole job goes to the blocking pool.
    fn lead_flush(&self) {
        let inline = tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::MultiThread;
        let mut batch = take_waiting(&self.state).unwrap_or_default();
        if inline {
            let result = tokio::task::block_in_place(|| flush(&self.db));
            let Some(next) = take_waiting(&self.state) else {
                acknowledge(batch, &result);
                return;
            };
            acknowledge(std::mem::replace(&mut batch, next), &result);
        }
        let (db, state) = (self.db.clone(), self.state.clone());
        tokio::task::spawn_blocking(move || flush_until_idle(db, &state, batch));
    }
}

/// Flushes for `batch`, then for whoever arrived meanwhile, until nobody waits.
fn flush_until_idle(db: sled::Db, state: &Mutex<State>, mut batch: Vec<Waiter>) {
    loop {
        let result = flush(&db);
        match take_waiting(state) {
            Some(next) => acknowledge(std::mem::replace(&mut batch, next), &result),
            None => {
                // Let go of the database before the last acknowledgement, so a
                // caller that closes and reopens it right after never races us.
                drop(db);
                acknowledge(batch, &result);
                return;
            }
        }
    }
}

fn flush(db: &sled::Db) -> Result<(), String> {
    db.flush().map(|_| ()).map_err(|e| e.to_string())
}

/// The writers waiting now, or `None` (and the flusher marked stopped) if none.
fn take_waiting(state: &Mutex<State>) -> Option<Vec<Waiter>> {
    let mut state = state.lock().expect("group commit lock");
    if state.waiting.is_empty() {
        state.flushing = false;
        return None;
    }
    Some(std::mem::take(&mut state.waiting))
}

fn acknowledge(batch: Vec<Waiter>, result: &Result<(), String>) {
    for waiter in batch {
        let _ = waiter.send(result.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the blocking pool (current-thread runtime).
    #[tokio::test]
    async fn concurrent_writers_are_all_acknowledged() {
        writers_are_acknowledged_and_durable().await;
    }

    /// With the first writer flushing inline (multi-threaded runtime).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_are_all_acknowledged_when_flushing_inline() {
        writers_are_acknowledged_and_durable().await;
    }

    async fn writers_are_acknowledged_and_durable() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let commit = Arc::new(GroupCommit::new(db.clone()));
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let (db, commit) = (db.clone(), commit.clone());
            tasks.push(tokio::spawn(async move {
                db.insert(i.to_be_bytes(), &b"v"[..]).unwrap();
                commit.durable().await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        drop((db, commit));
        let reopened = sled::open(dir.path()).unwrap();
        assert_eq!(reopened.len(), 64);
    }
}
