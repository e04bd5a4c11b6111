//! Mock weather: plausible, and the same for the same city and day.
//!
//! The workshop runs offline, so there is no real weather service behind this server (in a real
//! deployment this module is where an upstream API would be called, with the server's *own*
//! credentials: an MCP server must never forward the caller's token upstream).
//!
//! Random temperatures would make two calls a second apart disagree, and no test could check an
//! answer. Instead every number is derived from a stable hash of the city and the date: ask twice and you get the same forecast, ask about tomorrow and you get a different one.
//! A handful of well-known cities have a realistic climate (hemisphere, mean temperature, how much
//! it rains); any other city gets a climate derived from its name.

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::Serialize;

/// Sky conditions the mock can report.
const CONDITIONS_DRY: [&str; 4] = ["Sunny", "Clear", "Partly cloudy", "Windy"];
const CONDITIONS_WET: [&str; 5] = ["Cloudy", "Light rain", "Rain", "Thunderstorms", "Foggy"];

/// A city's climate: the inputs to the mock.
struct Climate {
    /// Canonical display name.
    name: &'static str,
    /// Mean temperature over the year, °C.
    mean_c: f64,
    /// Half the difference between the warmest and the coldest month, °C.
    swing_c: f64,
    /// Chance (0..1) that a given day is wet.
    wet_chance: f64,
    /// Southern hemisphere: seasons are reversed.
    southern: bool,
}

const KNOWN: [Climate; 10] = [
    Climate {
        name: "London",
        mean_c: 11.5,
        swing_c: 7.0,
        wet_chance: 0.45,
        southern: false,
    },
    Climate {
        name: "Paris",
        mean_c: 12.5,
        swing_c: 8.0,
        wet_chance: 0.38,
        southern: false,
    },
    Climate {
        name: "New York",
        mean_c: 13.0,
        swing_c: 12.0,
        wet_chance: 0.33,
        southern: false,
    },
    Climate {
        name: "Tokyo",
        mean_c: 16.0,
        swing_c: 10.5,
        wet_chance: 0.36,
        southern: false,
    },
    Climate {
        name: "Sydney",
        mean_c: 18.5,
        swing_c: 5.0,
        wet_chance: 0.30,
        southern: true,
    },
    Climate {
        name: "Oslo",
        mean_c: 6.0,
        swing_c: 10.5,
        wet_chance: 0.40,
        southern: false,
    },
    Climate {
        name: "Cairo",
        mean_c: 22.5,
        swing_c: 7.5,
        wet_chance: 0.03,
        southern: false,
    },
    Climate {
        name: "Singapore",
        mean_c: 27.5,
        swing_c: 1.0,
        wet_chance: 0.55,
        southern: false,
    },
    Climate {
        name: "Seattle",
        mean_c: 11.5,
        swing_c: 7.5,
        wet_chance: 0.50,
        southern: false,
    },
    Climate {
        name: "Cape Town",
        mean_c: 17.0,
        swing_c: 4.5,
        wet_chance: 0.25,
        southern: true,
    },
];

/// The names of the cities with a realistic climate (other cities work too).
pub fn known_cities() -> impl Iterator<Item = &'static str> {
    KNOWN.iter().map(|c| c.name)
}

/// One day's weather for one city.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DailyWeather {
    /// The city, as normalised by the server (e.g. "new york" → "New York").
    pub city: String,
    /// The date this report is for (ISO 8601, UTC).
    pub date: String,
    /// Sky conditions, e.g. "Partly cloudy".
    pub condition: String,
    /// Daytime high, °C.
    pub high_c: i32,
    /// Night-time low, °C.
    pub low_c: i32,
    /// Relative humidity, percent.
    pub humidity_pct: u8,
    /// Chance of precipitation, percent.
    pub precipitation_chance_pct: u8,
    /// Mean wind speed, km/h.
    pub wind_kph: u8,
}

/// Why a city name was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CityError {
    /// Nothing but whitespace.
    #[error("the city name is empty: pass a city such as \"London\"")]
    Empty,
    /// Longer than any real place name; most likely not a city at all.
    #[error("the city name is {0} characters long; the limit is 80")]
    TooLong(usize),
}

/// Normalises a city name: trims it, collapses spaces and title-cases each word, so "  new  york"
/// and "New York" are the same city.
pub fn normalise_city(raw: &str) -> Result<String, CityError> {
    let words: Vec<String> = raw
        .split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect();
    let name = words.join(" ");
    match name.chars().count() {
        0 => Err(CityError::Empty),
        n if n > 80 => Err(CityError::TooLong(n)),
        _ => Ok(name),
    }
}

/// The weather in `city` (already normalised) on `date`.
pub fn daily(city: &str, date: NaiveDate) -> DailyWeather {
    let climate = KNOWN.iter().find(|c| c.name == city);
    let city_hash = fnv1a(city.to_lowercase().as_bytes());
    let (mean_c, swing_c, wet_chance, southern) = match climate {
        Some(c) => (c.mean_c, c.swing_c, c.wet_chance, c.southern),
        // An invented but stable climate for any other city: temperate-ish, from the name's hash.
        None => (
            4.0 + (city_hash % 220) as f64 / 10.0,
            2.0 + ((city_hash >> 8) % 100) as f64 / 10.0,
            0.15 + ((city_hash >> 16) % 40) as f64 / 100.0,
            (city_hash >> 24).is_multiple_of(4),
        ),
    };

    // Season: coldest around 15 January in the north (day 15), warmest six months later.
    let day_of_year = date.ordinal0() as f64;
    let phase = 2.0 * std::f64::consts::PI * (day_of_year - 15.0) / 365.25;
    let seasonal = if southern { swing_c } else { -swing_c } * phase.cos();

    // Day-to-day noise from a hash of (city, date), so each day differs but never changes.
    let day_hash = fnv1a(format!("{}|{}", city.to_lowercase(), date).as_bytes());
    let unit = |shift: u32| ((day_hash >> shift) & 0xffff) as f64 / 65535.0; // 0.0..=1.0
    let wet = unit(0) < wet_chance;
    let noise = (unit(16) - 0.5) * 6.0;
    let mid = mean_c + seasonal + noise;
    let spread = if wet { 3.0 } else { 5.0 } + unit(32) * 3.0;

    let (condition, precipitation) = if wet {
        let i = ((day_hash >> 40) % CONDITIONS_WET.len() as u64) as usize;
        let mut condition = CONDITIONS_WET[i];
        if matches!(condition, "Rain" | "Light rain" | "Thunderstorms") && mid - spread / 2.0 < 0.5
        {
            condition = "Snow"; // rain at or below freezing falls as snow
        }
        (condition, 55.0 + unit(48) * 40.0)
    } else {
        let i = ((day_hash >> 40) % CONDITIONS_DRY.len() as u64) as usize;
        (CONDITIONS_DRY[i], unit(48) * 20.0)
    };
    let humidity = if wet {
        75.0 + unit(24) * 22.0
    } else {
        35.0 + unit(24) * 35.0
    };
    let wind = if condition == "Windy" || condition == "Thunderstorms" {
        30.0 + unit(8) * 30.0
    } else {
        5.0 + unit(8) * 20.0
    };

    DailyWeather {
        city: city.to_string(),
        date: date.to_string(),
        condition: condition.to_string(),
        high_c: (mid + spread / 2.0).round() as i32,
        low_c: (mid - spread / 2.0).round() as i32,
        humidity_pct: humidity.round() as u8,
        precipitation_chance_pct: precipitation.round() as u8,
        wind_kph: wind.round() as u8,
    }
}

/// FNV-1a, 64 bit: a tiny, stable hash (std's `DefaultHasher` may change between Rust releases,
/// which would change every forecast).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn same_city_and_day_gives_the_same_weather() {
        assert_eq!(
            daily("London", date("2026-03-01")),
            daily("London", date("2026-03-01"))
        );
    }

    #[test]
    fn different_days_differ_somewhere_in_a_week() {
        let days: Vec<_> = (1..=7)
            .map(|d| daily("Oslo", date(&format!("2026-05-0{d}"))))
            .collect();
        assert!(
            days.windows(2)
                .any(|w| w[0].high_c != w[1].high_c || w[0].condition != w[1].condition)
        );
    }

    #[test]
    fn seasons_follow_the_hemisphere() {
        let oslo_jan = daily("Oslo", date("2026-01-15")).high_c;
        let oslo_jul = daily("Oslo", date("2026-07-15")).high_c;
        let sydney_jan = daily("Sydney", date("2026-01-15")).high_c;
        let sydney_jul = daily("Sydney", date("2026-07-15")).high_c;
        assert!(
            oslo_jul > oslo_jan,
            "Oslo: {oslo_jan} in January, {oslo_jul} in July"
        );
        assert!(
            sydney_jan > sydney_jul,
            "Sydney: {sydney_jan} in January, {sydney_jul} in July"
        );
    }

    #[test]
    fn values_are_plausible_for_any_city() {
        for city in [
            "London",
            "Cairo",
            "Atlantis",
            "Llanfairpwllgwyngyll",
            "Ulaanbaatar",
        ] {
            for d in 0..365 {
                let day = date("2026-01-01") + chrono::Days::new(d);
                let w = daily(city, day);
                assert!(w.low_c <= w.high_c, "{w:?}");
                assert!(
                    (-40..=50).contains(&w.low_c) && (-40..=50).contains(&w.high_c),
                    "{w:?}"
                );
                assert!(
                    w.humidity_pct <= 100 && w.precipitation_chance_pct <= 100,
                    "{w:?}"
                );
            }
        }
    }

    #[test]
    fn city_names_are_normalised_and_checked() {
        assert_eq!(normalise_city("  new   YORK "), Ok("New York".to_string()));
        assert_eq!(normalise_city(" \t"), Err(CityError::Empty));
        assert!(matches!(
            normalise_city(&"x".repeat(81)),
            Err(CityError::TooLong(81))
        ));
    }
}
