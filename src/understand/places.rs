//! Regions and other places named in a message, and what the message says about them.
//!
//! Region words come from the region data (name, province, apps and `places`) and from
//! `faq/synonyms.yaml` `regions`; other places from `other_places` there. A supported region's
//! own word wins over another place inside it (四川医保 is 攀枝花, not "somewhere in 四川").

use std::collections::HashMap;

use super::words::{self, Prepared, Word};
use super::{PlaceMention, PlaceRole, RegionMention, RegionRole};
use crate::content::Content;

/// Characters looked at before a place for a "lives there" or "I am from" word.
const BEFORE: usize = 3;
/// Characters looked at after a place for a "lives there" word (深圳那边拿药).
const AFTER: usize = 3;

/// Region and place words, prepared once.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlaceWords {
    /// (region id, word), longest first.
    regions: Vec<(String, Word)>,
    others: Vec<String>,
    /// `others` as characters, and the indexes of those starting with each character: a
    /// message is scanned once, comparing only the names that start where it stands, instead
    /// of one substring search per name (hundreds; the searches' set-up was 5 % of a web
    /// message's CPU).
    others_chars: Vec<Vec<char>>,
    others_by_first: HashMap<char, Vec<usize>>,
    lives_before: Vec<Word>,
    lives_after: Vec<Word>,
    switch_before: Vec<Word>,
    home_before: Vec<Word>,
    deny_before: Vec<Word>,
    correction: Vec<Word>,
}

impl PlaceWords {
    pub(crate) fn build(content: &Content) -> PlaceWords {
        let mut regions: Vec<(String, Word)> = Vec::new();
        let mut add = |id: &str, w: &str| {
            let w = w.trim();
            if !w.is_empty() && !regions.iter().any(|(_, x)| x.text == w) {
                regions.push((id.to_string(), Word::new(w)));
            }
        };
        for (id, region) in &content.regions {
            add(id, &region.name);
            add(id, &region.province);
            region.places.iter().for_each(|p| add(id, p));
            for channel in &region.channels {
                add(id, &channel.name);
                // 四川医保APP is written 四川医保 too.
                let bare = channel.name.trim_end_matches("APP").trim_end_matches("小程序");
                add(id, bare);
            }
        }
        for (id, list) in &content.faq_vocabulary.regions {
            list.iter().for_each(|w| add(id, w));
        }
        regions.sort_by_key(|(_, w)| std::cmp::Reverse(w.len()));
        let is_region_word = |p: &str| regions.iter().any(|(_, w)| w.text.contains(p));
        let others: Vec<String> = content
            .faq_vocabulary
            .other_places
            .values()
            .flatten()
            .filter(|p| !p.trim().is_empty() && !is_region_word(p))
            .cloned()
            .collect();
        let others_chars: Vec<Vec<char>> = others.iter().map(|p| p.chars().collect()).collect();
        let mut others_by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (n, name) in others_chars.iter().enumerate() {
            others_by_first.entry(name[0]).or_default().push(n);
        }
        let lex = &content.understand;
        PlaceWords {
            regions,
            others,
            others_chars,
            others_by_first,
            lives_before: words::words(&lex.lives_before),
            lives_after: words::words(&lex.lives_after),
            switch_before: words::words(&lex.switch_before),
            home_before: words::words(&lex.home_before),
            deny_before: words::words(&lex.deny_before),
            correction: words::words(&lex.correction),
        }
    }

    /// Supported regions named, once per region, in text order; and the character ranges
    /// they cover (other places inside them are ignored). A region the message says is not the
    /// user's (`我是邵阳的不是攀枝花`) covers its words but is not named.
    ///
    /// With two regions named, one said as where the person lives (`医保是在攀枝花交的 只是人在
    /// 邵阳跟我住`: a `lives_after` word right after it) is no region of theirs: it comes back,
    /// third, as a place where they live (异地 to the other one).
    pub(crate) fn regions_and_lived_in(
        &self,
        msg: &Prepared,
    ) -> (Vec<RegionMention>, Vec<(usize, usize)>, Vec<PlaceMention>) {
        let mut found: Vec<(usize, RegionMention)> = Vec::new();
        let mut covered: Vec<(usize, usize)> = Vec::new();
        for (id, word) in &self.regions {
            for hit in word.hits(msg) {
                let start = hit.start.unwrap_or(usize::MAX);
                if let Some(s) = hit.start {
                    if covered.iter().any(|&(a, b)| s < b && a < s + hit.len) {
                        continue;
                    }
                    covered.push((s, s + hit.len));
                }
                if hit.start.is_some_and(|s| self.denied(msg, s)) {
                    continue;
                }
                let role = hit.start.map_or(RegionRole::Named, |s| self.region_role(msg, s));
                if let Some((_, seen)) = found.iter_mut().find(|(_, m)| m.region == *id) {
                    // `我问邵阳的 … 切到邵阳`: named twice, the switch asked for is what counts.
                    if role == RegionRole::Switch {
                        seen.role = role;
                    }
                    continue;
                }
                found.push((
                    start,
                    RegionMention { region: id.clone(), word: word.text.clone(), role },
                ));
            }
        }
        found.sort_by_key(|(start, _)| *start);
        let lived = self.lived_in(msg, &mut found);
        self.corrected(msg, &mut found);
        (found.into_iter().map(|(_, m)| m).collect(), covered, lived)
    }

    /// Of two or more regions named, those said as where the person lives (a `lives_after`
    /// word right after the name), taken out of `found` as places; never the only region left.
    fn lived_in(
        &self,
        msg: &Prepared,
        found: &mut Vec<(usize, RegionMention)>,
    ) -> Vec<PlaceMention> {
        if found.len() < 2 {
            return Vec::new();
        }
        let lives_after = |start: usize, m: &RegionMention| {
            let end = start.saturating_add(m.word.chars().count());
            let after = Prepared::new(&msg.slice(end, end + AFTER + 2));
            self.lives_after
                .iter()
                .any(|w| (0..=AFTER.min(after.chars.len())).any(|i| w.exact_at(&after, i)))
        };
        let lived: Vec<usize> = (0..found.len())
            .filter(|&i| found[i].0 != usize::MAX && lives_after(found[i].0, &found[i].1))
            .collect();
        if lived.len() != 1 {
            return Vec::new();
        }
        let (_, m) = found.remove(lived[0]);
        vec![PlaceMention { name: m.word, role: PlaceRole::LivesOrTreated }]
    }

    /// `邵阳的 不对 是攀枝花`: a correction word between two regions withdraws those named before
    /// it; the region named after it is the user's own.
    fn corrected(&self, msg: &Prepared, found: &mut Vec<(usize, RegionMention)>) {
        let fixes = self.correction.iter().flat_map(|w| w.hits(msg)).filter_map(|h| h.start);
        let Some(at) = fixes.filter(|&at| found.iter().any(|(s, _)| *s < at)).max() else {
            return;
        };
        if !found.iter().any(|(s, _)| *s > at && *s != usize::MAX) {
            return;
        }
        found.retain(|(s, _)| *s > at);
        for (_, m) in found.iter_mut().filter(|(_, m)| m.role == RegionRole::Named) {
            m.role = RegionRole::Home;
        }
    }

    /// `不是攀枝花`, `不在攀枝花`: a deny word right before the region (`是不是攀枝花的` asks).
    fn denied(&self, msg: &Prepared, start: usize) -> bool {
        let wider = msg.slice(start.saturating_sub(BEFORE + 1), start);
        let before = Prepared::new(&msg.slice(start.saturating_sub(BEFORE), start));
        words::any(&self.deny_before, &before) && !wider.contains("是不是")
    }

    fn region_role(&self, msg: &Prepared, start: usize) -> RegionRole {
        let before = Prepared::new(&msg.slice(start.saturating_sub(BEFORE + 1), start));
        let ends_with = |list: &[Word]| {
            list.iter().any(|w| {
                w.len() <= before.chars.len() && w.exact_at(&before, before.chars.len() - w.len())
            })
        };
        if ends_with(&self.switch_before) {
            RegionRole::Switch
        } else if words::any(&self.home_before, &before) {
            RegionRole::Home
        } else {
            RegionRole::Named
        }
    }

    /// Other places named, outside the supported regions' words, with their role.
    pub(crate) fn others(&self, msg: &Prepared, covered: &[(usize, usize)]) -> Vec<PlaceMention> {
        let mut found: Vec<(usize, PlaceMention)> = Vec::new();
        // Names in list order, each where it first occurs (the order decides which of two
        // overlapping names is taken).
        for (n, start) in self.first_occurrences(&msg.chars) {
            let name = &self.others[n];
            let end = start + self.others_chars[n].len();
            if covered.iter().any(|&(a, b)| start < b && a < end) {
                continue;
            }
            // A longer name already found here (黑龙江 over 龙江) wins.
            if found.iter().any(|(s, m)| *s <= start && start < s + m.name.chars().count()) {
                continue;
            }
            let role = self.place_role(msg, start, end);
            found.push((start, PlaceMention { name: name.clone(), role }));
        }
        found.sort_by_key(|(s, _)| *s);
        found.into_iter().map(|(_, m)| m).collect()
    }

    /// (index in `others`, character offset of its first occurrence) of every other place
    /// named in `chars`, by index.
    fn first_occurrences(&self, chars: &[char]) -> Vec<(usize, usize)> {
        let mut first: Vec<(usize, usize)> = Vec::new();
        for (start, c) in chars.iter().enumerate() {
            let Some(names) = self.others_by_first.get(c) else { continue };
            for &n in names {
                let seen = first.iter().any(|&(m, _)| m == n);
                if !seen && chars[start..].starts_with(&self.others_chars[n]) {
                    first.push((n, start));
                }
            }
        }
        first.sort_unstable();
        first
    }

    fn place_role(&self, msg: &Prepared, start: usize, end: usize) -> PlaceRole {
        let before = Prepared::new(&msg.slice(start.saturating_sub(BEFORE), start));
        let after = Prepared::new(&msg.slice(end, end + AFTER + 2));
        let after_starts = self
            .lives_after
            .iter()
            .any(|w| (0..=AFTER.min(after.chars.len())).any(|i| w.exact_at(&after, i)));
        if words::any(&self.lives_before, &before) || after_starts {
            PlaceRole::LivesOrTreated
        } else {
            PlaceRole::Subject
        }
    }
}
