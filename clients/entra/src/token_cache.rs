//! The on-disk token cache: sign in once, not on every run.
//!
//! Tokens are kept in one JSON file in the user's cache directory
//! (`~/.cache/mcp-workshop/entra-client/tokens.json` on Linux), readable by the owner only
//! (file `0600`, in a directory created `0700`): a refresh token is as good as a password until it expires.
//! Each entry is keyed by *issuer + client id + resource*, so tokens for one server are never
//! offered to another (a token is only ever sent to the resource it was issued for).
//!
//! Writes go to a temporary file that is then renamed over the old one, so a crash never leaves
//! half a file. Keeping the cache on disk is what lets the next run skip the sign-in.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One cached sign-in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CachedToken {
    /// The authorization server that issued it.
    pub issuer: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The resource (MCP server URL) it is for.
    pub resource: String,
    /// The access token.
    pub access_token: String,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<String>,
    /// When the access token expires, seconds since the epoch.
    pub expires_at: u64,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The scopes that were asked for (the server may grant fewer: then asking again is
    /// pointless until something changes, such as a step-up).
    #[serde(default)]
    pub requested: Vec<String>,
}

impl CachedToken {
    /// Whether the access token is still good for at least `margin_secs` seconds.
    pub fn is_fresh(&self, margin_secs: u64) -> bool {
        now().saturating_add(margin_secs) < self.expires_at
    }

    fn matches(&self, issuer: &str, client_id: &str, resource: &str) -> bool {
        self.issuer == issuer && self.client_id == client_id && self.resource == resource
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: Vec<CachedToken>,
}

/// Problems reading or writing the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// No cache directory could be determined.
    #[error("cannot find a cache directory for this user: pass --cache-dir")]
    NoCacheDir,
    /// File system trouble.
    #[error("token cache {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
}

/// The token cache in a directory.
#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
}

impl TokenCache {
    /// A cache in `dir`, or in the user's cache directory when `None`.
    pub fn new(dir: Option<PathBuf>) -> Result<Self, CacheError> {
        let dir = match dir {
            Some(dir) => dir,
            None => dirs::cache_dir()
                .ok_or(CacheError::NoCacheDir)?
                .join("mcp-workshop")
                .join("entra-client"),
        };
        Ok(Self { dir })
    }

    /// The cache file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join("tokens.json")
    }

    /// The entry for this issuer, client and resource.
    pub fn get(&self, issuer: &str, client_id: &str, resource: &str) -> Option<CachedToken> {
        self.load()
            .entries
            .into_iter()
            .find(|e| e.matches(issuer, client_id, resource))
    }

    /// Stores `token`, replacing the entry with the same key.
    pub fn put(&self, token: CachedToken) -> Result<(), CacheError> {
        let mut file = self.load();
        file.entries
            .retain(|e| !e.matches(&token.issuer, &token.client_id, &token.resource));
        file.entries.push(token);
        self.save(&file)
    }

    /// Forgets every token for `resource`; returns how many were removed.
    pub fn remove_resource(&self, resource: &str) -> Result<usize, CacheError> {
        let mut file = self.load();
        let before = file.entries.len();
        file.entries.retain(|e| e.resource != resource);
        let removed = before - file.entries.len();
        if removed > 0 {
            self.save(&file)?;
        }
        Ok(removed)
    }

    fn load(&self) -> CacheFile {
        // An unreadable or corrupt cache is treated as empty: the worst case is a new sign-in.
        std::fs::read(self.path())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, file: &CacheFile) -> Result<(), CacheError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CacheError::Io { path, source }
        };
        create_private_dir(&self.dir).map_err(io(&self.dir))?;
        let json = serde_json::to_vec_pretty(&CacheFile {
            version: 1,
            entries: file.entries.clone(),
        })
        .expect("cache entries always serialize");
        let tmp = self
            .dir
            .join(format!("tokens.json.{}.tmp", std::process::id()));
        write_private_file(&tmp, &json).map_err(io(&tmp))?;
        std::fs::rename(&tmp, self.path()).map_err(io(&self.path()))
    }
}

/// Creates `dir` (and missing parents) owner-only. An existing directory is left as it is: it may
/// be one the user named with `--cache-dir` (`.`, `/tmp`), whose permissions are not ours to
/// change; the file inside is owner-only either way.
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(resource: &str) -> CachedToken {
        CachedToken {
            issuer: "http://127.0.0.1:8400/t/v2.0".into(),
            client_id: "c".into(),
            resource: resource.into(),
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            expires_at: now() + 3600,
            scopes: vec!["api://x/MCP.Tools".into()],
            requested: vec!["api://x/MCP.Tools".into()],
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "entra-client-test-{name}-{}-{}",
            std::process::id(),
            now()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip_keyed_by_issuer_client_and_resource() {
        let dir = temp_dir("roundtrip");
        let cache = TokenCache::new(Some(dir.clone())).unwrap();
        let a = token("http://127.0.0.1:8000/mcp");
        cache.put(a.clone()).unwrap();
        cache.put(token("http://127.0.0.1:9000/mcp")).unwrap();
        assert_eq!(cache.get(&a.issuer, "c", &a.resource), Some(a.clone()));
        assert_eq!(cache.get(&a.issuer, "other-client", &a.resource), None);
        assert_eq!(cache.get("http://elsewhere", "c", &a.resource), None);
        let mut newer = a.clone();
        newer.access_token = "at2".into();
        cache.put(newer.clone()).unwrap();
        assert_eq!(cache.get(&a.issuer, "c", &a.resource), Some(newer));
        assert_eq!(cache.remove_resource(&a.resource).unwrap(), 1);
        assert_eq!(cache.get(&a.issuer, "c", &a.resource), None);
        assert!(
            cache
                .get(&a.issuer, "c", "http://127.0.0.1:9000/mcp")
                .is_some()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn only_the_owner_can_read_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("perms");
        let cache = TokenCache::new(Some(dir.clone())).unwrap();
        cache.put(token("http://127.0.0.1:8000/mcp")).unwrap();
        let file_mode = std::fs::metadata(cache.path())
            .unwrap()
            .permissions()
            .mode();
        let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(file_mode & 0o777, 0o600);
        assert_eq!(dir_mode & 0o777, 0o700);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_directory_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("shared");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cache = TokenCache::new(Some(dir.clone())).unwrap();
        cache.put(token("http://127.0.0.1:8000/mcp")).unwrap();
        let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o755, "--cache-dir . must not chmod .");
        let file_mode = std::fs::metadata(cache.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(file_mode & 0o777, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupt_cache_is_empty_not_fatal() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("tokens.json"), b"{ not json").unwrap();
        let cache = TokenCache::new(Some(dir.clone())).unwrap();
        assert_eq!(cache.get("i", "c", "r"), None);
        cache.put(token("r")).unwrap();
        assert!(
            cache
                .get("http://127.0.0.1:8400/t/v2.0", "c", "r")
                .is_some()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
