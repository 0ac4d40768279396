export { Discovery, type Advertisement, type DiscoveredRoom, type DiscoveryOptions } from './Discovery';
export { parseAddress } from './parseAddress';
