import { djangoGroupsSuite } from './django-groups-suite.js';

djangoGroupsSuite('postgres', 'ignore-empty');
