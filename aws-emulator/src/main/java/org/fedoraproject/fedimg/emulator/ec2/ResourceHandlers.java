package org.fedoraproject.fedimg.emulator.ec2;

import java.util.Map;

import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;

/**
 * The EC2 actions of one resource family. They run under the engine's lock (see {@link Ec2Api}), with the
 * engine and its life cycles at hand, and register themselves by action name.
 */
abstract class ResourceHandlers {

    final Engine engine;
    final LifeCycles life;

    ResourceHandlers(Engine engine) {
        this.engine = engine;
        this.life = engine.life();
    }

    abstract void register(Map<String, Ec2Api.Handler> actions);

    /** Actions that take the lock themselves (see {@link Ec2Api.UnlockedHandler}); most families have none. */
    void registerUnlocked(Map<String, Ec2Api.UnlockedHandler> actions) {
    }
}
