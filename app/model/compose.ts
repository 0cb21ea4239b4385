// The labels Docker Compose sets on the containers it creates: which project and service a container belongs to.
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_NUMBER_LABEL = 'com.docker.compose.container-number';
