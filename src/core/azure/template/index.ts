// The template room's public face: the pool's parameters, their validation with Azure's rules,
// the ARM template and its deployment parameters, and the import of the article's parameters.
export { importArticleParameters } from './article-import';
export {
  type ArmParameterValues,
  type PoolParameters,
  INSTANCE_LIMIT,
  POOL_TEMPLATE_VERSION,
  SNAT_PORTS_PER_IP,
  buildDeploymentParameters,
  loadPoolTemplate,
  poolParameterWarnings,
  poolResourceNames,
} from './pool-template';
export { validatePoolParameters } from './pool-template-validation';
export { buildRedeployParameters, poolInputFromDeployment } from './pool-template-redeploy';
export { parseCidr } from './pool-template-cidr';
export { poolNameProblem, resourceGroupProblem } from './pool-template-names';
export { parseSshPublicKey } from './pool-template-ssh-key';
export { looksLikeSecretUrl, redactDeploymentParameters } from './pool-template-storage';
