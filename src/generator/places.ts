// Where customers live and merchants trade: a fixed list of real cities with
// their coordinates, so "near home" and "far from home" mean kilometres, not
// just a different name. The weights roughly follow population, so a few
// cities are home to many customers, as on a real card portfolio.

export interface Place {
  readonly city: string;
  /** ISO 3166 alpha-2. */
  readonly country: string;
  readonly latitude: number;
  readonly longitude: number;
  /** Relative share of customers and merchants. */
  readonly weight: number;
}

export const PLACES: readonly Place[] = [
  { city: 'Paris', country: 'FR', latitude: 48.857, longitude: 2.352, weight: 10 },
  { city: 'Lyon', country: 'FR', latitude: 45.764, longitude: 4.836, weight: 4 },
  { city: 'Marseille', country: 'FR', latitude: 43.296, longitude: 5.37, weight: 4 },
  { city: 'Berlin', country: 'DE', latitude: 52.52, longitude: 13.405, weight: 9 },
  { city: 'Hamburg', country: 'DE', latitude: 53.551, longitude: 9.994, weight: 5 },
  { city: 'Munich', country: 'DE', latitude: 48.135, longitude: 11.582, weight: 5 },
  { city: 'Madrid', country: 'ES', latitude: 40.417, longitude: -3.704, weight: 8 },
  { city: 'Barcelona', country: 'ES', latitude: 41.385, longitude: 2.173, weight: 6 },
  { city: 'Rome', country: 'IT', latitude: 41.903, longitude: 12.496, weight: 7 },
  { city: 'Milan', country: 'IT', latitude: 45.464, longitude: 9.19, weight: 6 },
  { city: 'Amsterdam', country: 'NL', latitude: 52.368, longitude: 4.904, weight: 4 },
  { city: 'Rotterdam', country: 'NL', latitude: 51.924, longitude: 4.478, weight: 3 },
  { city: 'Brussels', country: 'BE', latitude: 50.85, longitude: 4.352, weight: 3 },
  { city: 'Vienna', country: 'AT', latitude: 48.208, longitude: 16.374, weight: 4 },
  { city: 'Lisbon', country: 'PT', latitude: 38.722, longitude: -9.139, weight: 3 },
  { city: 'Dublin', country: 'IE', latitude: 53.35, longitude: -6.26, weight: 3 },
  { city: 'Helsinki', country: 'FI', latitude: 60.17, longitude: 24.938, weight: 2 },
  { city: 'Athens', country: 'GR', latitude: 37.984, longitude: 23.728, weight: 3 },
  { city: 'Warsaw', country: 'PL', latitude: 52.23, longitude: 21.012, weight: 4 },
  { city: 'Prague', country: 'CZ', latitude: 50.076, longitude: 14.438, weight: 3 },
  { city: 'London', country: 'GB', latitude: 51.507, longitude: -0.128, weight: 5 },
  { city: 'New York', country: 'US', latitude: 40.713, longitude: -74.006, weight: 2 },
  { city: 'Bangkok', country: 'TH', latitude: 13.756, longitude: 100.502, weight: 1 },
  { city: 'Lagos', country: 'NG', latitude: 6.524, longitude: 3.379, weight: 1 },
];

const TOTAL_WEIGHT = PLACES.reduce((total, place) => total + place.weight, 0);

/** A place index by weight, from a uniform draw in [0, 1). */
export function placeIndexOf(draw: number): number {
  let left = draw * TOTAL_WEIGHT;
  for (let index = 0; index < PLACES.length; index++) {
    left -= (PLACES[index] as Place).weight;
    if (left < 0) return index;
  }
  return PLACES.length - 1;
}

/** Great-circle distance (haversine), for "far from home". */
export function distanceKm(from: Place, to: Place): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLatitude = radians(to.latitude - from.latitude);
  const dLongitude = radians(to.longitude - from.longitude);
  const a =
    Math.sin(dLatitude / 2) ** 2 + Math.cos(radians(from.latitude)) * Math.cos(radians(to.latitude)) * Math.sin(dLongitude / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

/** The index of the place named `city` in `country`, or -1. */
export function placeIndexNamed(city: string, country: string): number {
  return PLACES.findIndex((place) => place.city === city && place.country === country);
}
