//! The conversation engine: `state + input + now → replies, next state, effects`.
//!
//! Pure: no teloxide, sqlx, axum or filesystem. Adapters (terminal, Telegram) turn their
//! updates into [`Input`], call [`handle`], send the [`Reply`]s and hand the [`Effect`]s to the
//! store inside the same transaction as the new [`Session`].
//!
//! Precedence for typed text: a command in plain words or a region switch (unless it is a
//! button label of the step), then an answer to the current step, then slash commands, then a
//! free-text question (answered from the FAQ, after which the current step is
//! asked again so nothing the user already entered is lost).
//!
//! # Layout
//!
//! The modules form layers; each imports only from layers below it (or, among handlers, from
//! handlers that do not import it back), which `layers` in this file's tests checks:
//!
//! - base — no turn: [`input`] (typed answers), [`render`] (templates, button data),
//!   [`context`] (what the conversation has established), `types` (the data shared with the
//!   adapters and the store), [`wording`] (typed button answers, questions versus answers),
//!   [`commands`] (commands and their words, which are content) and [`track`] (the conversation
//!   side of application tracking).
//! - `turn` — the `Turn` of one [`handle`]: the session copy, replies and effects, and their
//!   primitive operations (state, say/ask, buttons, at most two messages a turn). It calls no
//!   handler.
//! - handlers — the rest of `Turn`'s methods, one concern each: `text` (typed text;
//!   `Turn::free_text` is where text that answers no step goes), `answers` (reading answers to
//!   the current step), `steps` (walking dialog trees, asking again, stale buttons), `pending`
//!   (consent, "did you mean …?", a disease the catalogue lacks), `menu` (commands and the main
//!   menu), `said` (commands in plain words and region switches, read at every step before its
//!   answer). Free text is first read by [`crate::understand`]; `understood` is the policy acting
//!   on it (regions named, 异地, facts for an estimate or deadline, several diseases), built on
//!   `composed` (the answers, within one phone screen) and `followup` (the turn's side of the
//!   context: follow-ups like `糖尿病呢`, the question asked before the region, no answer twice
//!   in a row, dates already said, `region_changed` after a switch of region in words).
//! - `dispatch` — which handler runs: typed text or a button press, and resuming a returning
//!   user; [`handle`] and [`resume`] below call it.
//!
//! Handlers call each other's methods on `Turn` (a step may end at the menu, the menu may start
//! a step); the layering is about imports and about `turn` never calling up. The engine sits on
//! top of the domain modules (`tracking`, `knowledge`, `policy`, `content`); none of them
//! imports the engine.

mod answers;
pub mod commands;
mod composed;
pub mod context;
mod dispatch;
mod followup;
pub mod handoff;
pub mod input;
mod menu;
mod pending;
mod prefill;
mod remind_edit;
mod remind_task;
pub mod render;
mod said;
mod steps;
mod text;
pub mod track;
mod track_said;
mod turn;
mod types;
mod understood;
mod window_time;
pub mod wording;

pub use commands::Command;
pub use dispatch::WELCOME_BACK;
pub use types::*;

use chrono::{DateTime, Utc};

use crate::assistant::Assistant;

/// Messages longer than this are not parsed: nobody answers a step in 2 000 characters, and
/// matching a pasted document against the FAQ would only produce a confident-looking guess.
pub const MAX_INPUT_CHARS: usize = 2000;

/// Handles one user input. Never fails: bad input and stale state produce polite replies.
pub fn handle(
    assistant: &Assistant,
    session: &Session,
    user: &UserData,
    input: Input,
    now: DateTime<Utc>,
) -> Outcome {
    let mut turn = turn::Turn::new(assistant, session.clone(), user, now, true);
    // The handlers read the same message several times: once is enough.
    crate::understand::memo::within(|| turn.run(input));
    turn.finish()
}

/// What to show a returning user (terminal restart): the pending question again, with buttons
/// that stay valid for the next [`handle`]. Changes nothing.
pub fn resume(
    assistant: &Assistant,
    session: &Session,
    user: &UserData,
    now: DateTime<Utc>,
) -> Vec<Reply> {
    let mut turn = turn::Turn::new(assistant, session.clone(), user, now, false);
    turn.resume();
    turn.finish().replies
}

/// The layers of the engine, checked on its source: `super::x` / `crate::engine::x` references
/// (code and doc links) must form no cycle, and `turn`'s primitives must call no method of
/// `Turn` defined in a handler, or the primitive layer would depend on the handlers above it.
#[cfg(test)]
mod layers {
    use std::collections::{BTreeMap, BTreeSet};

    type Graph = BTreeMap<String, BTreeSet<String>>;

    /// Each engine module (file stem) and its source without its `#[cfg(test)]` tail; `mod.rs`,
    /// the root that declares and dispatches to all of them, is left out.
    fn modules() -> BTreeMap<String, String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine");
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(dir).expect("src/engine") {
            let path = entry.expect("dir entry").path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            if path.extension().is_some_and(|e| e == "rs") && stem != "mod" {
                let text = std::fs::read_to_string(&path).expect("engine source");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
                out.insert(stem.to_string(), code);
            }
        }
        out
    }

    /// The identifier `text` starts with (empty if none).
    fn ident(text: &str) -> &str {
        let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        &text[..end.unwrap_or(text.len())]
    }

    /// Identifiers that follow `prefix` in `text`.
    fn idents_after<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
        text.match_indices(prefix).map(|(i, _)| ident(&text[i + prefix.len()..])).collect()
    }

    fn imports(modules: &BTreeMap<String, String>) -> Graph {
        let mut graph = Graph::new();
        for (name, code) in modules {
            let mut used: Vec<&str> = idents_after(code, "super::");
            used.extend(idents_after(code, "crate::engine::"));
            let deps = used
                .into_iter()
                .filter(|m| *m != name && modules.contains_key(*m))
                .map(str::to_string);
            graph.entry(name.clone()).or_default().extend(deps);
        }
        graph
    }

    /// A cycle of `graph` as its modules in order (first repeated last), if there is one.
    fn cycle(graph: &Graph) -> Option<Vec<String>> {
        fn visit(
            node: &str,
            graph: &Graph,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|n| n == node) {
                let mut found = path[at..].to_vec();
                found.push(node.to_string());
                return Some(found);
            }
            if done.contains(node) {
                return None;
            }
            path.push(node.to_string());
            for next in graph.get(node).into_iter().flatten() {
                if let Some(found) = visit(next, graph, path, done) {
                    return Some(found);
                }
            }
            path.pop();
            done.insert(node.to_string());
            None
        }
        let mut done = BTreeSet::new();
        graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
    }

    /// Methods of `Turn` defined in `code` (its `impl<'a> Turn<'a>` blocks).
    fn turn_methods(code: &str) -> Vec<&str> {
        let mut inside = false;
        let mut out = Vec::new();
        for line in code.lines() {
            if line.starts_with("impl<'a> Turn<'a>") {
                inside = true;
            } else if line == "}" {
                inside = false;
            } else if inside {
                let head = ["    pub(super) fn ", "    pub fn ", "    fn "]
                    .iter()
                    .find_map(|p| line.strip_prefix(p));
                if let Some(head) = head {
                    out.push(ident(head));
                }
            }
        }
        out
    }

    #[test]
    fn the_engine_modules_import_each_other_without_a_cycle() {
        let graph = imports(&modules());
        if let Some(found) = cycle(&graph) {
            panic!("the engine's modules import each other in a circle: {}", found.join(" → "));
        }
    }

    #[test]
    fn the_turn_primitives_call_no_handler() {
        let modules = modules();
        let own: BTreeSet<&str> = turn_methods(&modules["turn"]).into_iter().collect();
        let handlers: BTreeMap<&str, &str> = modules
            .iter()
            .filter(|(name, _)| *name != "turn")
            .flat_map(|(name, code)| {
                turn_methods(code).into_iter().map(move |m| (m, name.as_str()))
            })
            .collect();
        let upward: Vec<String> = idents_after(&modules["turn"], "self.")
            .into_iter()
            .filter(|m| !own.contains(m))
            .filter_map(|m| handlers.get(m).map(|file| format!("{m} ({file}.rs)")))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert!(upward.is_empty(), "turn.rs calls handlers above it: {}", upward.join(", "));
    }

    #[test]
    fn a_circle_of_imports_is_found_and_named() {
        let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
            .iter()
            .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
            .collect();
        assert_eq!(cycle(&graph).expect("a cycle").join(" → "), "a → b → c → a");
    }
}
