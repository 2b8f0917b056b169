//! `kvstore`: the module's KV namespace, each call counted against `kv_calls`.
use super::HostState;
use super::pigdin::functions::kvstore::{Host, KeyPage};
use crate::functions::limits::Budgeted;
use crate::store::KvError;

type KvResult<T> = wasmtime::Result<Result<T, String>>;

fn to_guest<T>(result: Result<T, KvError>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}

fn page(result: Result<crate::store::KeyPage, KvError>) -> Result<KeyPage, String> {
    to_guest(result).map(KeyPage::from)
}

impl Host for HostState {
    async fn get(&mut self, key: String) -> KvResult<Option<String>> {
        self.spend(Budgeted::Kv)?;
        Ok(to_guest(self.kv.get(&key)))
    }

    async fn set(&mut self, key: String, value: String, ttl_minutes: Option<u32>) -> KvResult<()> {
        self.spend(Budgeted::Kv)?;
        let kv = self.kv.clone();
        let result = self
            .bounded("kvstore.set", kv.set(&key, &value, ttl_minutes))
            .await?;
        Ok(to_guest(result))
    }

    async fn remove(&mut self, key: String) -> KvResult<()> {
        self.spend(Budgeted::Kv)?;
        let kv = self.kv.clone();
        Ok(to_guest(
            self.bounded("kvstore.remove", kv.remove(&key)).await?,
        ))
    }

    async fn incr_counter(&mut self, key: String, delta: i64) -> KvResult<i64> {
        self.spend(Budgeted::Kv)?;
        let kv = self.kv.clone();
        Ok(to_guest(
            self.bounded("kvstore.incr-counter", kv.incr_counter(&key, delta))
                .await?,
        ))
    }

    async fn get_counter(&mut self, key: String) -> KvResult<i64> {
        self.spend(Budgeted::Kv)?;
        Ok(to_guest(self.kv.get_counter(&key)))
    }

    async fn list_keys(
        &mut self,
        prefix: String,
        cursor: Option<String>,
        limit: u32,
    ) -> KvResult<KeyPage> {
        self.spend(Budgeted::Kv)?;
        Ok(page(self.kv.list_keys(&prefix, cursor.as_deref(), limit)))
    }

    async fn list_counter_keys(
        &mut self,
        prefix: String,
        cursor: Option<String>,
        limit: u32,
    ) -> KvResult<KeyPage> {
        self.spend(Budgeted::Kv)?;
        Ok(page(self.kv.list_counter_keys(
            &prefix,
            cursor.as_deref(),
            limit,
        )))
    }
}
