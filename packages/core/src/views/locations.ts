// A location's public links as the API and the console show them: the answer page every code opens, the kiosk page when on.
export function locationLinks(l: { code: string; kiosk: boolean }, publicUrl: string) {
  return {
    url: `${publicUrl}/l/${l.code}`,
    kioskUrl: l.kiosk ? `${publicUrl}/k/${l.code}` : null,
  };
}
