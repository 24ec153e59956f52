// The app's entry point (package.json "main"): importing a module registers its functions.
import '../orchestrations/greeting';
import './greeting';
