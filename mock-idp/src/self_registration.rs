//! Self-registration (`up --open-roster`): a learner who is not on the roster types their own
//! name at the device-code sign-in and becomes a user of the tenant.
//!
//! The roster has no passwords (a classroom, not a bank): a name is who you say you are. So
//! registration is a pure function of the typed name, and the same name always gives the same
//! user:
//! - the name is tidied (outer spaces trimmed, inner runs of spaces made one) and validated
//!   (letters, digits, spaces, `.`, `-`, `_`, `'`; at most [`MAX_NAME`] characters);
//! - the user name is the tidied name in lower case with spaces as dots (`Dana Li` → `dana.li`),
//!   so `Dana Li`, `dana li` and ` DANA  LI ` are one learner: a duplicate is the same person
//!   signing in again, resolved the same way every time; a name that is already on the roster
//!   signs in as that roster user;
//! - the object id (`oid`, the class dashboard's key) is a hash of the tenant and the user name,
//!   so a learner keeps their id across restarts of the classroom and their stored results stay
//!   theirs.
//!
//! The registered users are kept beside the provider's keys (`registered-users.json` in its
//! state folder), so a restart also keeps the display names as typed.

use crate::config::User;
use std::path::PathBuf;
use std::sync::RwLock;

/// The longest name a learner may type, in characters.
pub const MAX_NAME: usize = 40;

/// The users who registered themselves, in the order they did.
#[derive(Debug, Default)]
pub struct Registered {
    users: RwLock<Vec<User>>,
    file: Option<PathBuf>,
}

impl Registered {
    /// The registry kept in `state_dir` (`None`: in memory), with the users saved there.
    pub fn open(state_dir: Option<&std::path::Path>) -> Self {
        let file = state_dir.map(|d| d.join("registered-users.json"));
        let users = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<Vec<User>>(&bytes).ok())
            .unwrap_or_default();
        Registered {
            users: RwLock::new(users),
            file,
        }
    }

    /// A registered user by user name.
    pub fn get(&self, username: &str) -> Option<User> {
        let users = self.users.read().ok()?;
        users.iter().find(|u| u.username == username).cloned()
    }

    /// Every registered user.
    pub fn all(&self) -> Vec<User> {
        self.users.read().map(|u| u.clone()).unwrap_or_default()
    }

    /// Registers `user`, or returns the user already registered under its user name.
    pub fn register(&self, user: User) -> User {
        let Ok(mut users) = self.users.write() else {
            return user;
        };
        if let Some(existing) = users.iter().find(|u| u.username == user.username) {
            return existing.clone();
        }
        users.push(user.clone());
        if let Some(file) = &self.file {
            // Losing the file costs only the display names' case: the ids are derived again.
            if let Ok(json) = serde_json::to_vec_pretty(&*users) {
                let tmp = file.with_extension("json.tmp");
                if std::fs::write(&tmp, json).is_ok() {
                    let _ = std::fs::rename(&tmp, file);
                }
            }
        }
        user
    }
}

/// The user a typed name stands for in `tenant`, or why the name is refused.
pub fn user_for_name(typed: &str, tenant: &str) -> Result<User, String> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Type your name.".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("A name has at most {MAX_NAME} characters."));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '\''))
    {
        return Err("A name has letters, digits, spaces and . - _ ' only.".into());
    }
    let username: String = name
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| if c == ' ' { '.' } else { c })
        .collect();
    if !username.chars().any(char::is_alphanumeric) {
        return Err("A name needs at least one letter or digit.".into());
    }
    Ok(User {
        oid: stable_oid(tenant, &username),
        username,
        name,
        email: None,
        roles: vec![],
    })
}

/// A GUID-shaped id from a SHA-256 of the tenant and the user name: the same on every run.
fn stable_oid(tenant: &str, username: &str) -> String {
    let input = format!("mcp-workshop self-registered user\0{tenant}\0{username}");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_however_typed_is_the_same_user() {
        let a = user_for_name("Dana Li", "t").unwrap();
        let b = user_for_name("  dana   LI ", "t").unwrap();
        assert_eq!(
            (a.username.as_str(), a.name.as_str()),
            ("dana.li", "Dana Li")
        );
        assert_eq!(a.username, b.username);
        assert_eq!(a.oid, b.oid);
        assert_ne!(a.oid, user_for_name("Dana Lee", "t").unwrap().oid);
        assert_ne!(
            a.oid,
            user_for_name("Dana Li", "another tenant").unwrap().oid
        );
        assert_eq!(
            user_for_name("José O'Neil", "t").unwrap().username,
            "josé.oneil"
        );
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in [
            "",
            "   ",
            "<script>",
            "a\u{7}b",
            "--",
            &"x".repeat(MAX_NAME + 1),
        ] {
            assert!(user_for_name(bad, "t").is_err(), "{bad:?}");
        }
        assert!(user_for_name(&"x".repeat(MAX_NAME), "t").is_ok());
    }

    #[test]
    fn a_duplicate_registration_returns_the_first_and_the_file_keeps_them() {
        let dir = std::env::temp_dir().join(format!("idp-registered-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let registry = Registered::open(Some(&dir));
        let first = registry.register(user_for_name("Dana Li", "t").unwrap());
        let again = registry.register(user_for_name("DANA LI", "t").unwrap());
        assert_eq!(again.name, "Dana Li", "the first registration wins");
        assert_eq!(registry.all().len(), 1);
        let reopened = Registered::open(Some(&dir));
        assert_eq!(reopened.get("dana.li").unwrap().oid, first.oid);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
