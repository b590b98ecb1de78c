/** English messages of the organiser and platform dashboards, the exports and the custom reports. */
export const enAnalytics = {
  'analytics.filter.badDay': 'Dates must be real days, written as YYYY-MM-DD.',
  'analytics.filter.badId': 'That event or ticket type is not one of yours.',
  'analytics.filter.reversed': 'The start of the date range must come before its end.',
  'analytics.filter.tooLong': 'Choose a date range of at most {days} days.',
} as const
