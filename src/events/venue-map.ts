/** A map link for a venue: its coordinates when the organiser set them, else a search for its name and city. */
export function venueMapUrl(venue: { venue_name: string; venue_address?: string; venue_city: string; venue_latitude: number | null; venue_longitude: number | null }): string {
  if (venue.venue_latitude !== null && venue.venue_longitude !== null) {
    const lat = venue.venue_latitude.toFixed(6)
    const lon = venue.venue_longitude.toFixed(6)
    return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`
  }
  const query = [venue.venue_name, venue.venue_address, venue.venue_city].filter(Boolean).join(', ')
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}`
}
