//! A commit's time as a date: `2025-12-01 00:00:00 UTC`.
//!
//! A commit stores its time as seconds since 1970-01-01 00:00:00 UTC.
//! Seconds, minutes and hours are the remainder of a division by a day;
//! the day count becomes a year, month and day by Howard Hinnant's
//! `civil_from_days`, which counts in 400-year eras of the Gregorian
//! calendar with years that start on 1 March, so that the leap day is
//! the last day of its year and every month before it has a fixed length.
//! (<https://howardhinnant.github.io/date_algorithms.html>)

/// The seconds in a day.
const DAY: u64 = 86_400;

/// Year, month (1 to 12) and day (1 to 31) of the day `days` after
/// 1970-01-01.
pub fn civil_from_days(days: u64) -> (u64, u32, u32) {
    // Days since 0000-03-01, the start of an era.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months from March: 0 is March, 11 is February.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 } as u32;
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// `unix_seconds` as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format(unix_seconds: u64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds / DAY);
    let second = unix_seconds % DAY;
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", second / 3600, second / 60 % 60, second % 60)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn known_dates_format_as_utc() {
        assert_eq!(format(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format(1_764_547_200), "2025-12-01 00:00:00 UTC");
        assert_eq!(format(951_825_599), "2000-02-29 11:59:59 UTC", "a leap day of a 400-year leap year");
        assert_eq!(format(4_107_542_399), "2100-02-28 23:59:59 UTC", "2100 has no leap day");
        assert_eq!(format(4_107_542_400), "2100-03-01 00:00:00 UTC");
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = civil_from_days(0);
        for days in 1..200_000 {
            let (year, month, day) = civil_from_days(days);
            let next_day = (previous.0, previous.1, previous.2 + 1);
            let next_month = (previous.0, previous.1 + 1, 1);
            let next_year = (previous.0 + 1, 1, 1);
            assert!(
                [next_day, next_month, next_year].contains(&(year, month, day)),
                "{previous:?} then {year}-{month}-{day}"
            );
            previous = (year, month, day);
        }
    }
}
